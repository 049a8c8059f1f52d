export * from './peers';
export * from './policies';
