export * from './frpc';
export * from './frpc-config';
