export * from './ingress-controller';
export * from './ingress-nginx';
export { INGRESS_NGINX_ADMISSION_NAMES } from './ingress-nginx-admission';
export * from './external-https-backend';
export * from './traefik';
export * from './traefik-config';
