export * from './metallb-pools';
