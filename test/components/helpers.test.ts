/**
 * The shared test helpers must be able to fail: a missing permission, a missing object, an absent
 * ../shared, an invalid custom resource.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crdValidator, findObject, permissions, sharedDir, SHARED_MISSING_MESSAGE, uncoveredPermissions, type K8sObject } from '../helpers/k8s';

describe('uncoveredPermissions', () => {
  const required = [
    { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['update'], resourceNames: ['leader'] },
  ];

  it('flattens rules into (group, resource, verb, name) tuples', () => {
    expect(permissions(required)).toHaveLength(5);
  });

  it('reports every permission no granted rule covers', () => {
    const granted = [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }];
    expect(uncoveredPermissions(required, granted)).toEqual(['("", nodes, get)', '("", nodes, list)', '(coordination.k8s.io, leases, update, name=leader)']);
  });

  it('accepts broader grants: wildcards, and no resourceNames for a named rule', () => {
    const granted = [
      { apiGroups: [''], resources: ['*'], verbs: ['get', 'list'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['update'] },
    ];
    expect(uncoveredPermissions(required, granted)).toEqual([]);
  });

  it('does not let a name-restricted grant cover an unrestricted requirement', () => {
    const needed = [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }];
    expect(uncoveredPermissions(needed, [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['one'] }])).toEqual(['("", secrets, get)']);
  });
});

describe('findObject', () => {
  const objects: K8sObject[] = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'x' } }];

  it('finds by kind, name and namespace', () => {
    expect(findObject(objects, 'ConfigMap', 'a', 'x').metadata.name).toBe('a');
  });

  it('fails naming what exists', () => {
    expect(() => findObject(objects, 'ConfigMap', 'a', 'y')).toThrow(/found 0 \(ConfigMap objects: ConfigMap x\/a\)/);
  });
});

describe('sharedDir', () => {
  it('fails with a clear message when ../shared is absent', () => {
    expect(() => sharedDir('/nonexistent/repository')).toThrow(SHARED_MISSING_MESSAGE);
    expect(SHARED_MISSING_MESSAGE).toBe('../shared not found: conformance tests need the shared upstream manifests');
  });
});

describe('crdValidator', () => {
  it('rejects an object of another kind or an unserved version', () => {
    const validate = crdValidator(join(sharedDir(), 'crds/metallb-v0.16.1/metallb.io_ipaddresspools.yaml'));
    expect(validate({ apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'x' } })).toEqual([
      'kind "L2Advertisement" is not IPAddressPool',
    ]);
    expect(validate({ apiVersion: 'metallb.io/v9', kind: 'IPAddressPool', metadata: { name: 'x' }, spec: { addresses: [] } })).toEqual([
      'apiVersion metallb.io/v9 is not served by ipaddresspools.metallb.io',
    ]);
  });
});
