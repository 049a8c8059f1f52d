/**
 * MetalLB Layer 2 address pools: one IPAddressPool and one L2Advertisement per pool, typed from the
 * MetalLB v0.16.1 CRDs (imports/). MetalLB itself is installed from its upstream manifest (a
 * prerequisite), so its CRDs and webhook exist before these objects are applied.
 */
import { Construct } from 'constructs';
import { IpAddressPool, L2Advertisement } from '../../../imports/metallb-metallb.io';
import { addressRange, checkDnsLabel, checkDnsSubdomain, checkUnique, ipToInt, isIpv4, problem, throwIfProblems } from '../private/validation';

/** One MetalLB address pool, announced over Layer 2. */
export interface MetalLbAddressPool {
  /** IPAddressPool name. */
  readonly name: string;
  /** CIDRs (`192.168.100.240/28`) or inclusive ranges (`192.168.100.240-192.168.100.254`). */
  readonly addresses: readonly string[];
  /**
   * Let MetalLB hand out addresses from this pool to Services that do not ask for one.
   * @default METALLB_DEFAULT_AUTO_ASSIGN (true)
   */
  readonly autoAssign?: boolean;
  /**
   * Skip addresses ending in .0 and .255.
   * @default METALLB_DEFAULT_AVOID_BUGGY_IPS (false)
   */
  readonly avoidBuggyIPs?: boolean;
}

/** Props of {@link MetalLbL2Pools}. */
export interface MetalLbL2PoolsProps {
  /**
   * MetalLB's namespace: its custom resources only take effect there.
   * @default METALLB_DEFAULT_NAMESPACE ('metallb-system')
   */
  readonly namespace?: string;
  readonly pools: readonly MetalLbAddressPool[];
  /**
   * Announce only from these node interfaces (L2Advertisement `interfaces`).
   * @default METALLB_DEFAULT_INTERFACES ([]: every interface MetalLB does not exclude)
   */
  readonly interfaces?: readonly string[];
}

export const METALLB_DEFAULT_NAMESPACE = 'metallb-system';
export const METALLB_DEFAULT_AUTO_ASSIGN = true;
export const METALLB_DEFAULT_AVOID_BUGGY_IPS = false;
export const METALLB_DEFAULT_INTERFACES: readonly string[] = [];

/** Name of the L2Advertisement announcing `pool`. */
function l2AdvertisementName(pool: string): string {
  return `${pool}-l2`;
}

/**
 * MetalLB Layer 2 pools: an IPAddressPool and an L2Advertisement per pool. MetalLB itself is a prerequisite
 * (its upstream manifest).
 */
export class MetalLbL2Pools extends Construct {
  readonly namespace: string;
  readonly pools: readonly MetalLbAddressPool[];

  constructor(scope: Construct, id: string, props: MetalLbL2PoolsProps) {
    super(scope, id);
    this.namespace = props.namespace ?? METALLB_DEFAULT_NAMESPACE;
    this.pools = props.pools.map((p) => ({ ...p, addresses: [...p.addresses] }));
    const interfaces = [...(props.interfaces ?? METALLB_DEFAULT_INTERFACES)].sort();
    throwIfProblems('MetalLbL2Pools', [checkDnsLabel('namespace', this.namespace), ...validatePools(this.pools), ...validateInterfaces(interfaces)]);

    for (const pool of this.pools) {
      const scope = new Construct(this, pool.name);
      new IpAddressPool(scope, 'Pool', {
        metadata: { name: pool.name, namespace: this.namespace },
        spec: {
          addresses: [...pool.addresses],
          autoAssign: pool.autoAssign ?? METALLB_DEFAULT_AUTO_ASSIGN,
          avoidBuggyIPs: pool.avoidBuggyIPs ?? METALLB_DEFAULT_AVOID_BUGGY_IPS,
        },
      });
      new L2Advertisement(scope, 'L2Advertisement', {
        metadata: { name: l2AdvertisementName(pool.name), namespace: this.namespace },
        spec: { ipAddressPools: [pool.name], ...(interfaces.length ? { interfaces } : {}) },
      });
    }
  }

  /** Name of the pool whose addresses contain `ip`, if any. */
  poolContaining(ip: string): string | undefined {
    if (!isIpv4(ip)) return undefined;
    const value = ipToInt(ip);
    return this.pools.find((pool) =>
      pool.addresses.some((a) => {
        const range = addressRange(a);
        return range !== undefined && value >= range.first && value <= range.last;
      }),
    )?.name;
  }
}

function validatePools(pools: readonly MetalLbAddressPool[]): string[] {
  if (pools.length === 0) return [problem('pools', pools, 'must list at least one pool')];
  const problems: (string | undefined)[] = [
    ...checkUnique(
      'pools[].name',
      pools.map((p) => p.name),
    ),
  ];
  const seen: { text: string; first: number; last: number }[] = [];
  pools.forEach((pool, i) => {
    problems.push(checkDnsSubdomain(`pools[${i}].name`, pool.name));
    if (pool.addresses.length === 0) problems.push(problem(`pools[${i}].addresses`, pool.addresses, 'must list at least one CIDR or range'));
    pool.addresses.forEach((text, j) => {
      const range = addressRange(text);
      if (!range) {
        problems.push(problem(`pools[${i}].addresses[${j}]`, text, 'must be an IPv4 CIDR ("192.168.100.240/28") or range ("192.168.100.240-192.168.100.254")'));
        return;
      }
      const overlap = seen.find((s) => range.first <= s.last && s.first <= range.last);
      if (overlap) problems.push(problem(`pools[${i}].addresses[${j}]`, text, `must not overlap ${JSON.stringify(overlap.text)}`));
      seen.push({ text, ...range });
    });
  });
  return problems.filter((p): p is string => p !== undefined);
}

function validateInterfaces(interfaces: readonly string[]): string[] {
  return interfaces.flatMap((name, i) =>
    /^[A-Za-z0-9_.:-]{1,15}$/.test(name) ? [] : [problem(`interfaces[${i}]`, name, 'must be a network interface name such as "eth0" (at most 15 characters)')],
  );
}
