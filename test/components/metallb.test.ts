import { describe, expect, it } from 'vitest';
import {
  METALLB_DEFAULT_AUTO_ASSIGN,
  METALLB_DEFAULT_AVOID_BUGGY_IPS,
  METALLB_DEFAULT_INTERFACES,
  METALLB_DEFAULT_NAMESPACE,
  MetalLbL2Pools,
  type MetalLbL2PoolsProps,
} from '../../lib/components';
import { findObject, findObjects, synthChart } from '../helpers/k8s';

const pools = (props: MetalLbL2PoolsProps) => synthChart((chart) => new MetalLbL2Pools(chart, 'Pools', props));
const lan = { name: 'lan-pool', addresses: ['192.168.100.240-192.168.100.254'] };

describe('MetalLbL2Pools', () => {
  it('emits one IPAddressPool and one L2Advertisement announcing it, per pool', () => {
    const objects = pools({ pools: [lan, { name: 'extra', addresses: ['10.0.0.0/30'] }] });
    expect(findObject(objects, 'IPAddressPool', 'lan-pool', 'metallb-system').spec.addresses).toEqual(['192.168.100.240-192.168.100.254']);
    expect(findObject(objects, 'L2Advertisement', 'lan-pool-l2', 'metallb-system').spec).toEqual({ ipAddressPools: ['lan-pool'] });
    expect(findObject(objects, 'L2Advertisement', 'extra-l2').spec).toEqual({ ipAddressPools: ['extra'] });
    expect(findObjects(objects, 'IPAddressPool')[0].apiVersion).toBe('metallb.io/v1beta1');
    expect(objects).toHaveLength(4);
  });

  it('defaults: metallb-system, autoAssign true, avoidBuggyIPs false, every interface', () => {
    expect([METALLB_DEFAULT_NAMESPACE, METALLB_DEFAULT_AUTO_ASSIGN, METALLB_DEFAULT_AVOID_BUGGY_IPS, METALLB_DEFAULT_INTERFACES]).toEqual([
      'metallb-system',
      true,
      false,
      [],
    ]);
    const objects = pools({ pools: [lan] });
    const pool = findObject(objects, 'IPAddressPool', 'lan-pool', 'metallb-system');
    expect(pool.spec.autoAssign).toBe(true);
    expect(pool.spec.avoidBuggyIPs).toBe(false);
    expect(findObject(objects, 'L2Advertisement', 'lan-pool-l2').spec.interfaces).toBeUndefined();
  });

  it('passes namespace, pool flags and interfaces through', () => {
    const objects = pools({ namespace: 'lb', pools: [{ ...lan, autoAssign: false, avoidBuggyIPs: true }], interfaces: ['eth1', 'eth0'] });
    expect(findObject(objects, 'IPAddressPool', 'lan-pool', 'lb').spec).toEqual({ addresses: lan.addresses, autoAssign: false, avoidBuggyIPs: true });
    expect(findObject(objects, 'L2Advertisement', 'lan-pool-l2', 'lb').spec.interfaces).toEqual(['eth0', 'eth1']);
  });

  it('finds the pool holding an address', () => {
    synthChart((chart) => {
      const p = new MetalLbL2Pools(chart, 'Pools', { pools: [lan, { name: 'extra', addresses: ['10.0.0.0/30'] }] });
      expect(p.poolContaining('192.168.100.240')).toBe('lan-pool');
      expect(p.poolContaining('10.0.0.3')).toBe('extra');
      expect(p.poolContaining('192.168.100.239')).toBeUndefined();
      expect(p.poolContaining('not-an-ip')).toBeUndefined();
    });
  });

  it('fails on bad ranges, overlaps, duplicate names and an empty pool list, naming each', () => {
    expect(() => pools({ pools: [] })).toThrow(/pools: must list at least one pool/);
    const build = () =>
      pools({
        pools: [
          { name: 'a', addresses: ['192.168.100.254-192.168.100.240'] },
          { name: 'b', addresses: ['10.0.0.0/24'] },
          { name: 'b', addresses: ['10.0.0.128/25'] },
          { name: 'Bad Name', addresses: [] },
        ],
        interfaces: ['this-name-is-far-too-long'],
      });
    expect(build).toThrow(/pools\[0\]\.addresses\[0\]: must be an IPv4 CIDR .* got "192\.168\.100\.254-192\.168\.100\.240"/);
    expect(build).toThrow(/pools\[2\]\.addresses\[0\]: must not overlap "10\.0\.0\.0\/24", got "10\.0\.0\.128\/25"/);
    expect(build).toThrow(/pools\[\]\.name: "b" occurs more than once/);
    expect(build).toThrow(/pools\[3\]\.name: .*got "Bad Name"/);
    expect(build).toThrow(/pools\[3\]\.addresses: must list at least one CIDR or range/);
    expect(build).toThrow(/interfaces\[0\]: must be a network interface name/);
  });
});
