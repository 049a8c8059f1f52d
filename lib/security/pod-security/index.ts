export * from './levels';
export * from './evaluate';
