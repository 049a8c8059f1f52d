/**
 * dist/README.md section on moving from ingress-nginx (retired upstream) to Traefik v3.7 and its
 * kubernetesIngressNGINX provider: which annotations carry over, what changes for clients, and the order
 * that keeps the apps reachable. Written for the chosen controller: with ingress-nginx it says how to
 * switch; with Traefik, what was switched and how to finish.
 *
 * The annotation lists summarize the support table of upstream `ingress-nginx.md` (v3.7.9);
 * test/app/ingress-migration.test.ts checks each name against that table.
 */
import type { ClusterModel } from '../model/types';
import type { ReadmeSection } from './section';

const A = 'nginx.ingress.kubernetes.io/';

/** Annotations the provider translates (some with the differences upstream lists). */
export const TRAEFIK_SUPPORTED_ANNOTATIONS: readonly string[] = [
  'auth-type',
  'auth-secret',
  'auth-realm',
  'auth-url',
  'auth-signin',
  'auth-response-headers',
  'ssl-redirect',
  'force-ssl-redirect',
  'ssl-passthrough',
  'backend-protocol',
  'proxy-ssl-verify',
  'proxy-ssl-secret',
  'auth-tls-secret',
  'auth-tls-verify-client',
  'affinity',
  'session-cookie-name',
  'upstream-vhost',
  'custom-headers',
  'default-backend',
  'canary',
  'canary-by-header',
  'canary-weight',
  'enable-cors',
  'cors-allow-origin',
  'app-root',
  'from-to-www-redirect',
  'use-regex',
  'rewrite-target',
  'permanent-redirect',
  'temporal-redirect',
  'custom-http-errors',
  'server-alias',
  'whitelist-source-range',
  'allowlist-source-range',
  'limit-rps',
  'limit-rpm',
  'limit-connections',
  'proxy-body-size',
  'proxy-buffering',
  'proxy-request-buffering',
  'proxy-connect-timeout',
  'proxy-read-timeout',
  'proxy-send-timeout',
  'proxy-next-upstream',
  'proxy-next-upstream-tries',
  'enable-access-log',
].map((a) => A + a);

/** Annotations the provider ignores (upstream "Unsupported Annotations"). */
export const TRAEFIK_UNSUPPORTED_ANNOTATIONS: readonly string[] = [
  'auth-tls-match-cn',
  'auth-cache-key',
  'limit-rate',
  'limit-rate-after',
  'limit-whitelist',
  'global-rate-limit',
  'denylist-source-range',
  'proxy-cookie-domain',
  'proxy-cookie-path',
  'proxy-redirect-from',
  'ssl-ciphers',
  'satisfy',
  'enable-modsecurity',
  'mirror-target',
  'stream-snippet',
  'enable-opentelemetry',
].map((a) => A + a);

const code = (s: string) => `\`${s}\``;
const short = (list: readonly string[]) => list.map((a) => code(a.slice(A.length))).join(', ');

export function ingressMigrationSection(model: ClusterModel): ReadmeSection {
  const ing = model.ingress;
  const ip = ing.loadBalancerIP;
  const t = model.tunnel;
  const onTraefik = ing.controller === 'traefik';
  const nginxNs = onTraefik ? 'ingress-nginx' : ing.namespace;
  const traefikNs = onTraefik ? ing.namespace : 'traefik';
  const lines = [
    onTraefik
      ? `This cluster runs Traefik ${code('v3.7')} with the ${code('kubernetesIngressNGINX')} provider in namespace ${code(traefikNs)}. If it ran ingress-nginx before, finish the switch as below.`
      : `ingress-nginx is retired upstream. Set ${code('ingress.controller: traefik')} in the description and re-render: Traefik v3.7's ${code('kubernetesIngressNGINX')} provider serves the same Ingress objects.`,
    '',
    '**What stays the same.** Ingresses keep `ingressClassName: ' +
      ing.className +
      '`: the IngressClass keeps its name and `spec.controller: k8s.io/ingress-nginx`, which the provider selects. ' +
      `LAN clients keep ${ip} on ports 80 and 443, Ingress status keeps reporting ${ip}, \`spec.tls\` Secrets and cert-manager's HTTP-01 solver (class ${code(ing.className)}) work unchanged. Snippet annotations stay off, as before.`,
    '',
    `**Annotations.** Translated (upstream lists some behaviour differences): ${short(TRAEFIK_SUPPORTED_ANNOTATIONS)}, and the rest of their families (session cookies, canary, CORS, buffering, timeouts, retries). ` +
      `Ignored by Traefik: ${short(TRAEFIK_UNSUPPORTED_ANNOTATIONS)} and the other entries of the upstream "Unsupported Annotations" table. ` +
      'Rate limits answer 429 instead of 503; request buffering is off unless `proxy-request-buffering` asks for it; trailing slashes are kept. Check every Ingress for annotations in the second list before switching.',
    '',
    '**What changes for clients.** ' +
      (t
        ? `frpc no longer forwards to ${ip}: it sends the Internet traffic to Traefik's tunnel entry points (${code(`traefik-tunnel.${traefikNs}.svc`)}, a ClusterIP Service that NetworkPolicy opens to frpc only). ` +
          (t.proxyProtocol
            ? 'PROXY protocol is honoured there only, so apps still see Internet client addresses, and LAN clients and pods that connect to the ingress IP directly work again (with ingress-nginx they needed a PROXY header). '
            : 'With `tunnel.proxyProtocol: true` apps would see Internet client addresses without breaking LAN clients. ')
        : '') +
      'There is no admission webhook any more: an Ingress Traefik cannot translate is accepted by the API server and reported in the Traefik log instead of being rejected.',
    '',
    '**Order without downtime.** Both controllers want the same address, and MetalLB gives an address to one Service at a time, so the address moves once, with a few seconds of LAN interruption while MetalLB announces it again:',
    '',
    '1. Render with `ingress.controller: traefik`, then apply the waves as in "Apply" above. Traefik starts and serves Ingresses on its pods; its LoadBalancer Service waits for ' +
      ip +
      '. ' +
      (t ? 'frpc restarts with the new target, so Internet traffic reaches Traefik from here on. ' : '') +
      `Wait for ${code(`kubectl -n ${traefikNs} rollout status deployment/traefik`)}.`,
    `2. Remove the ingress-nginx admission webhook before its controller goes away (it fails closed and would then block every Ingress change, cert-manager's solver Ingresses included): ${code('kubectl delete validatingwebhookconfiguration ingress-nginx-admission')}.`,
    `3. Release the address: ${code(`kubectl -n ${nginxNs} delete service ingress-nginx-controller`)}; ${code(`kubectl -n ${traefikNs} get service traefik`)} shows ${ip} moments later.`,
    `4. Remove the rest of ingress-nginx, keeping the IngressClass ${code(ing.className)} (Traefik's manifests own it now): ${code(`kubectl delete namespace ${nginxNs}`)}, ${code('kubectl delete clusterrole,clusterrolebinding ingress-nginx ingress-nginx-admission')} (or prune, see "Pruning"). The app namespaces' NetworkPolicies keep their names and now admit Traefik.`,
  ];
  return { title: onTraefik ? 'Ingress controller: Traefik (migrating from ingress-nginx)' : 'Migrating to Traefik', body: lines.join('\n') };
}
