export * from './letsencrypt-issuers';
