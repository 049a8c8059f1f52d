export * from './letsencrypt-issuers';
export * from './acme-email';
