/**
 * Test fixtures for the security layer: the reference model (optionally edited), its render, and small pod
 * templates to feed the evaluator and the checks directly.
 */
import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import type { K8sObject } from '../../lib/k8s/object';
import { parseDescription } from '../../lib/model/load';
import type { ClusterModel } from '../../lib/model/types';
import { renderCluster, type RenderResult } from '../../lib/render';

const REFERENCE_TEXT = readFileSync('hostconfig/cluster.yaml', 'utf8');

/** The reference description, edited as plain data before validation. */
export function referenceModel(edit?: (description: any) => void): ClusterModel {
  if (!edit) return parseDescription(REFERENCE_TEXT, 'hostconfig/cluster.yaml');
  const description = yaml.load(REFERENCE_TEXT, { schema: yaml.CORE_SCHEMA }) as any;
  edit(description);
  return parseDescription(yaml.dump(description), 'edited reference');
}

/** Renders without output checks (tests run the checks themselves). */
export function renderUnchecked(model: ClusterModel): RenderResult {
  return renderCluster(model, { checks: [] });
}

/** A deep copy with `edit` applied to the one object of `kind` named `name`. */
export function editObject(objects: readonly K8sObject[], kind: string, name: string, edit: (object: any) => void): K8sObject[] {
  let found = 0;
  const copy = structuredClone(objects) as K8sObject[];
  for (const o of copy) {
    if (o.kind === kind && o.metadata.name === name) {
      edit(o);
      found++;
    }
  }
  if (found !== 1) throw new Error(`editObject: expected one ${kind} ${name}, found ${found}`);
  return copy;
}

/** A container that meets restricted; `securityContext` fields override. */
export function restrictedContainer(name = 'app', securityContext: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    image: 'fatedier/frpc:v0.70.1',
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, ...securityContext },
    ...extra,
  };
}

/** A pod spec that meets restricted; fields override. */
export function restrictedPodSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [restrictedContainer()],
    ...overrides,
  };
}

export function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): K8sObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', ...metadata }, spec };
}

export function deployment(name: string, namespace: string, spec: Record<string, unknown>, labels: Record<string, string> = { app: name }): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec } },
  };
}
