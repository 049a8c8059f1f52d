import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../lib/k8s/object';
import { apiChangesBetween, unservedReason } from '../../lib/validate/api-versions';
import { CrdIndex, loadCrdDir, toJsonSchema } from '../../lib/validate/crd';
import { hasBuiltinSchema, isKubernetesApiGroup, SCHEMA_SOURCE, validateBuiltinObject, validateObjectMeta } from '../../lib/validate/k8s-schema';
import { sharedCrdsDir } from '../output/fixtures';

const k = (o: Record<string, unknown>) => o as unknown as K8sObject;
const deployment = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) =>
  k({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'n', labels: { 'app.kubernetes.io/name': 'd' }, ...metadata },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      ...spec,
    },
  });

describe('built-in schemas (kubernetes-models, made strict)', () => {
  it('names the package version and the Kubernetes version it follows', () => {
    const installed = JSON.parse(readFileSync('node_modules/kubernetes-models/package.json', 'utf8')) as { version: string };
    expect(SCHEMA_SOURCE).toEqual({ package: 'kubernetes-models', version: installed.version, kubernetes: '1.33' });
    // 1.33 schemas: networking.k8s.io/v1 ServiceCIDR exists; kubernetes-models 5.x (1.36) would add resource.k8s.io/v1
    expect(hasBuiltinSchema('networking.k8s.io/v1', 'ServiceCIDR')).toBe(true);
    expect(hasBuiltinSchema('resource.k8s.io/v1', 'DeviceClass')).toBe(false);
  });

  it("looks up schemas only in Kubernetes' own API groups, and every group the package has is one of them", () => {
    // the package's groups, as its directories: the core group is `v1`, the rest are named
    const groups = readdirSync('node_modules/kubernetes-models', { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_'))
      .map((entry) => (entry.name === 'v1' ? 'v1' : `${entry.name}/v1`));
    expect(groups.length).toBeGreaterThan(15);
    expect(groups.filter((apiVersion) => !isKubernetesApiGroup(apiVersion))).toEqual([]);
    for (const custom of ['cert-manager.io/v1', 'metallb.io/v1beta1', 'monitoring.coreos.com/v1', 'k8s.io.example.com/v1', 'example.com/v1']) {
      expect(isKubernetesApiGroup(custom), custom).toBe(false);
    }
    expect(hasBuiltinSchema('cert-manager.io/v1', 'ClusterIssuer')).toBe(false);
    expect(hasBuiltinSchema('autoscaling/v2', 'HorizontalPodAutoscaler')).toBe(true); // not one we emit: found by path
  });

  it('accepts a valid object', () => {
    expect(validateBuiltinObject(deployment({ replicas: 2 }))).toEqual([]);
  });

  it('finds unknown fields at every depth, but not keys of maps', () => {
    const issues = validateBuiltinObject(
      deployment(
        {
          replicas: 1,
          strategy: { type: 'RollingUpdate', rollingUpdat: {} },
          template: { metadata: { labels: { any: 'key' } }, spec: { containers: [{ name: 'c', image: 'i', resource: {} }] } },
        },
        { annotations: { 'free.example.com/form': 'x' }, labelz: {} },
      ),
    );
    expect(issues?.map((i) => i.field)).toEqual(['metadata.labelz', 'spec.strategy.rollingUpdat', 'spec.template.spec.containers[0].resource']);
  });

  it('does not flag free-form fields (JSON in CRD defaults) or the properties the package cannot know', () => {
    const crd = k({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'as.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'A', plural: 'as' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                description: 'd',
                properties: { spec: { type: 'object', default: { any: { thing: 1 } }, 'x-kubernetes-preserve-unknown-fields': true } },
              },
            },
          },
        ],
      },
    });
    expect(validateBuiltinObject(crd)).toEqual([]);
    const priority = k({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'p' }, value: 1, description: 'documented in the API' });
    expect(validateBuiltinObject(priority)).toEqual([]);
  });

  it('reports types, required fields and enums with the value found', () => {
    const issues = validateBuiltinObject(deployment({ replicas: '3', template: { spec: { containers: [{ image: 'i', imagePullPolicy: 'Sometimes' }] } } }));
    expect(issues).toEqual([
      { field: 'spec.replicas', message: 'must be integer, got "3"' },
      { field: 'spec.template.spec.containers[0].imagePullPolicy', message: 'must be one of "Always", "IfNotPresent", "Never", got "Sometimes"' },
      { field: 'spec.template.spec.containers[0].name', message: 'required field is missing' },
    ]);
  });

  it('has no schema for custom resources or for types that are not top-level kinds', () => {
    expect(validateBuiltinObject(k({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p' } }))).toBeUndefined();
    expect(validateBuiltinObject(k({ apiVersion: 'apps/v1', kind: 'DeploymentSpec', metadata: { name: 'p' } }))).toBeUndefined();
    expect(validateBuiltinObject(k({ apiVersion: '../../etc', kind: 'Passwd', metadata: { name: 'p' } }))).toBeUndefined();
  });

  it('validates metadata of any object against ObjectMeta', () => {
    expect(validateObjectMeta({ name: 'x', labels: { a: 1 }, nmespace: 'y' })).toEqual([
      { field: 'metadata.labels.a', message: 'must be string, got 1' },
      { field: 'metadata.nmespace', message: 'unknown field (not in the v1 ConfigMap schema)' },
    ]);
  });
});

describe('served API versions', () => {
  it('flags removed, not-yet-added and off-by-default APIs for the cluster minor', () => {
    expect(unservedReason('extensions/v1beta1', 'Deployment', '1.32')).toMatch(/removed in Kubernetes 1\.16; use apps\/v1/);
    expect(unservedReason('policy/v1beta1', 'PodDisruptionBudget', '1.32')).toMatch(/removed in Kubernetes 1\.25/);
    expect(unservedReason('flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema', '1.31')).toBeUndefined();
    expect(unservedReason('flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema', '1.32')).toMatch(/removed in Kubernetes 1\.32/);
    expect(unservedReason('networking.k8s.io/v1', 'ServiceCIDR', '1.32')).toMatch(/served from Kubernetes 1\.33 on/);
    expect(unservedReason('networking.k8s.io/v1', 'ServiceCIDR', '1.33')).toBeUndefined();
    expect(unservedReason('networking.k8s.io/v1', 'NetworkPolicy', '1.32')).toBeUndefined();
    expect(unservedReason('resource.k8s.io/v1beta1', 'ResourceClaim', '1.32')).toMatch(/--runtime-config/);
    expect(unservedReason('admissionregistration.k8s.io/v1alpha1', 'MutatingAdmissionPolicy', '1.32')).toMatch(/alpha API/);
    expect(unservedReason('apps/v1', 'Deployment', '1.32')).toBeUndefined();
  });

  it('tabulates the changes between 1.31 and 1.33', () => {
    expect(apiChangesBetween('1.31', '1.33')).toEqual([
      ['1.32', 'removed: flowcontrol.apiserver.k8s.io/v1beta3 (use flowcontrol.apiserver.k8s.io/v1)'],
      ['1.33', 'added, off by default: certificates.k8s.io/v1beta1 ClusterTrustBundle'],
      ['1.33', 'added, off by default: coordination.k8s.io/v1beta1 LeaseCandidate'],
      ['1.33', 'added, off by default: resource.k8s.io/v1beta2'],
      ['1.33', 'added: networking.k8s.io/v1 IPAddress, ServiceCIDR'],
    ]);
  });
});

describe('CRD schemas', () => {
  it('translates OpenAPI structural schemas to strict JSON Schema', () => {
    expect(
      toJsonSchema({
        type: 'object',
        properties: {
          port: { 'x-kubernetes-int-or-string': true },
          name: { type: 'string', nullable: true, enum: ['a'] },
          n: { type: 'integer', minimum: 0, exclusiveMinimum: true },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
          map: { type: 'object', additionalProperties: { type: 'string' } },
        },
      }),
    ).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        port: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
        name: { type: ['string', 'null'], enum: ['a', null] },
        n: { type: 'integer', exclusiveMinimum: 0 },
        free: { type: 'object', properties: { a: { type: 'string' } } },
        map: { type: 'object', additionalProperties: { type: 'string' } },
      },
    });
  });

  it('validates custom resources against the shared MetalLB and cert-manager CRDs', () => {
    const { crds, problems } = loadCrdDir(sharedCrdsDir());
    expect(problems).toEqual([]);
    const index = new CrdIndex(crds);
    expect(index.size).toBe(15);
    const pool = (spec: Record<string, unknown>, namespace: string | null = 'metallb-system') =>
      k({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p', ...(namespace ? { namespace } : {}) }, spec });
    expect(index.validate(pool({ addresses: ['192.168.100.240-192.168.100.254'], autoAssign: true }))).toEqual([]);
    expect(index.validate(pool({ addresses: ['10.0.0.0/24'], serviceAllocation: { priority: 'high' } }, null))).toEqual([
      { field: 'metadata.namespace', message: 'required: IPAddressPool is namespaced (CRD ipaddresspools.metallb.io)' },
      { field: 'spec.serviceAllocation.priority', message: 'must be integer, got "high"' },
    ]);
    const issuer = k({
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: { name: 'i' },
      spec: { acme: { server: 'https://x', privateKeySecretRef: { name: 'k' }, solvers: [{ http01: { ingress: { ingresClassName: 'nginx' } } }] } },
    });
    expect(index.validate(issuer)).toEqual([
      { field: 'spec.acme.solvers[0].http01.ingress.ingresClassName', message: 'unknown field (not in the CRD schema of cert-manager.io/v1 ClusterIssuer)' },
    ]);
    expect(index.validate(k({ apiVersion: 'cert-manager.io/v1alpha2', kind: 'ClusterIssuer', metadata: { name: 'i' }, spec: {} }))?.[0].message).toMatch(
      /does not serve version v1alpha2; served: cert-manager\.io\/v1/,
    );
    expect(index.validate(k({ apiVersion: 'example.com/v1', kind: 'Nothing', metadata: { name: 'i' } }))).toBeUndefined();
  });

  it('reports a missing CRD directory', () => {
    expect(loadCrdDir('/nonexistent/crds').problems[0].message).toMatch(/CRD directory does not exist/);
  });
});
