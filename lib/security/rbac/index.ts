export * from './rules';
export * from './access';
