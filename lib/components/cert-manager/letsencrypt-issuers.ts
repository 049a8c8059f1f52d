/**
 * Let's Encrypt ClusterIssuers (`letsencrypt-staging`, `letsencrypt-production`) for cert-manager
 * v1.21.x, typed from its ClusterIssuer CRD (imports/). cert-manager itself is installed from its upstream
 * static manifest (a prerequisite). ClusterIssuer Secrets (the ACME account keys and DNS-01 credentials)
 * live in cert-manager's cluster resource namespace, `cert-manager` in the static install.
 */
import { acmeEmailProblem } from './acme-email';
import { Construct } from 'constructs';
import { ClusterIssuer, type ClusterIssuerSpecAcmeSolvers } from '../../../imports/certmanager-cert-manager.io';
import { checkDnsSubdomain, problem, throwIfProblems } from '../private/validation';
import type { SecretKeyRef } from '../secret-ref';

/** A Let's Encrypt environment; each gets its own ClusterIssuer. */
export enum AcmeEnvironment {
  /** Untrusted certificates, generous rate limits: for trying things out. */
  STAGING = 'staging',
  PRODUCTION = 'production',
}

/** Let's Encrypt ACME directory URLs. */
const LETSENCRYPT_SERVERS: Readonly<Record<AcmeEnvironment, string>> = {
  [AcmeEnvironment.STAGING]: 'https://acme-staging-v02.api.letsencrypt.org/directory',
  [AcmeEnvironment.PRODUCTION]: 'https://acme-v02.api.letsencrypt.org/directory',
};

/** Namespace where cert-manager (static manifest) keeps ClusterIssuer Secrets. */
export const CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE = 'cert-manager';

/** Solvers apply to every domain unless limited to zones. */
export const ACME_SOLVER_DEFAULT_DNS_ZONES: readonly string[] = [];

/** HTTP-01 challenges answered through the ingress controller. */
export interface Http01IngressSolverOptions {
  /** IngressClass of the solver Ingress (`http01.ingress.ingressClassName`). */
  readonly ingressClassName: string;
  /**
   * Use this solver only for these DNS zones (`selector.dnsZones`).
   * @default ACME_SOLVER_DEFAULT_DNS_ZONES ([]: every domain, no selector)
   */
  readonly dnsZones?: readonly string[];
}

/** DNS-01 challenges answered through Cloudflare's API. */
export interface Dns01CloudflareSolverOptions {
  /** Cloudflare API token (Zone:DNS:Edit) Secret, in the cluster resource namespace. */
  readonly apiTokenSecretRef: SecretKeyRef;
  /**
   * Use this solver only for these DNS zones (`selector.dnsZones`).
   * @default ACME_SOLVER_DEFAULT_DNS_ZONES ([]: every domain, no selector)
   */
  readonly dnsZones?: readonly string[];
}

/** How an ACME challenge is solved. Build with the static factories. */
export class AcmeSolver {
  /** HTTP-01 through a temporary Ingress of the given class. */
  static http01Ingress(options: Http01IngressSolverOptions): AcmeSolver {
    const zones = [...(options.dnsZones ?? ACME_SOLVER_DEFAULT_DNS_ZONES)].sort();
    throwIfProblems('AcmeSolver.http01Ingress', [checkDnsSubdomain('ingressClassName', options.ingressClassName), ...checkZones(zones)]);
    return new AcmeSolver('http01', { ...selector(zones), http01: { ingress: { ingressClassName: options.ingressClassName } } }, []);
  }

  /** DNS-01 with Cloudflare, authenticated by an API token (recommended over the global API key). */
  static dns01Cloudflare(options: Dns01CloudflareSolverOptions): AcmeSolver {
    const zones = [...(options.dnsZones ?? ACME_SOLVER_DEFAULT_DNS_ZONES)].sort();
    const ref = options.apiTokenSecretRef;
    throwIfProblems('AcmeSolver.dns01Cloudflare', [
      checkDnsSubdomain('apiTokenSecretRef.name', ref.name),
      /^[-._a-zA-Z0-9]+$/.test(ref.key) ? undefined : problem('apiTokenSecretRef.key', ref.key, 'must be a Secret key (letters, digits, "-", "_", ".")'),
      ...checkZones(zones),
    ]);
    return new AcmeSolver('dns01', { ...selector(zones), dns01: { cloudflare: { apiTokenSecretRef: { name: ref.name, key: ref.key } } } }, [ref]);
  }

  private constructor(
    /** `http01` or `dns01`. */
    readonly type: 'http01' | 'dns01',
    private readonly spec: ClusterIssuerSpecAcmeSolvers,
    /** Secrets the solver reads (the user creates them in the cluster resource namespace). */
    readonly secretRefs: readonly SecretKeyRef[],
  ) {}

  /** The `spec.acme.solvers[]` entry. */
  toSolver(): ClusterIssuerSpecAcmeSolvers {
    return structuredClone(this.spec);
  }
}

/** Props of {@link LetsEncryptIssuers}. */
export interface LetsEncryptIssuersProps {
  /**
   * ACME account e-mail. Optional; never an RFC 2606 example domain (Let's Encrypt refuses those).
   * @default undefined (an account without e-mail)
   */
  readonly email?: string;
  /** Challenge solvers, tried by cert-manager in selector order. */
  readonly solvers: readonly AcmeSolver[];
  /**
   * One ClusterIssuer `letsencrypt-<environment>` per entry.
   * @default LETSENCRYPT_DEFAULT_ENVIRONMENTS ([STAGING, PRODUCTION])
   */
  readonly environments?: readonly AcmeEnvironment[];
}

export const LETSENCRYPT_DEFAULT_ENVIRONMENTS: readonly AcmeEnvironment[] = [AcmeEnvironment.STAGING, AcmeEnvironment.PRODUCTION];

/** ClusterIssuer name for an environment. */
function letsEncryptIssuerName(environment: AcmeEnvironment): string {
  return `letsencrypt-${environment}`;
}

/** Secret holding the ACME account key of an environment's issuer (created by cert-manager). */
function letsEncryptAccountKeySecret(environment: AcmeEnvironment): string {
  return `${letsEncryptIssuerName(environment)}-account-key`;
}

/**
 * Let's Encrypt ClusterIssuers for cert-manager, one per environment (`letsencrypt-staging`,
 * `letsencrypt-production`), with an HTTP-01 (ingress) or DNS-01 (Cloudflare) solver.
 */
export class LetsEncryptIssuers extends Construct {
  /** ClusterIssuer names, staging first. */
  readonly issuerNames: readonly string[];

  constructor(scope: Construct, id: string, props: LetsEncryptIssuersProps) {
    super(scope, id);
    const environments = props.environments ?? LETSENCRYPT_DEFAULT_ENVIRONMENTS;
    const all = Object.values(AcmeEnvironment);
    throwIfProblems('LetsEncryptIssuers', [
      props.email === undefined ? undefined : ((why) => why && problem('email', props.email, why))(acmeEmailProblem(props.email)),
      props.solvers.length ? undefined : problem('solvers', [], 'must list at least one solver (AcmeSolver.http01Ingress or AcmeSolver.dns01Cloudflare)'),
      environments.length ? undefined : problem('environments', environments, 'must list at least one of "staging", "production"'),
      ...environments.map((e, i) => (all.includes(e) ? undefined : problem(`environments[${i}]`, e, 'must be "staging" or "production"'))),
      new Set(environments).size === environments.length ? undefined : problem('environments', environments, 'must not repeat an environment'),
    ]);

    const ordered = all.filter((e) => environments.includes(e));
    this.issuerNames = ordered.map(letsEncryptIssuerName);
    for (const environment of ordered) {
      new ClusterIssuer(this, environment, {
        metadata: { name: letsEncryptIssuerName(environment) },
        spec: {
          acme: {
            ...(props.email === undefined ? {} : { email: props.email }),
            server: LETSENCRYPT_SERVERS[environment],
            privateKeySecretRef: { name: letsEncryptAccountKeySecret(environment) },
            solvers: props.solvers.map((s) => s.toSolver()),
          },
        },
      });
    }
  }
}

function selector(zones: readonly string[]): Pick<ClusterIssuerSpecAcmeSolvers, 'selector'> {
  return zones.length ? { selector: { dnsZones: [...zones] } } : {};
}

function checkZones(zones: readonly string[]): (string | undefined)[] {
  return zones.map((zone, i) => checkDnsSubdomain(`dnsZones[${i}]`, zone));
}
