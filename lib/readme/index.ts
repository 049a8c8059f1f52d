/**
 * dist/README.md: every word of it is written under lib/readme/, one file per section; this file puts the
 * sections in order and frames them. Each section reads the model or the objects and files as rendered, so
 * the README says what was emitted.
 */
import type { K8sObject } from '../k8s/object';
import type { ClusterModel } from '../model/types';
import type { RenderedFile } from '../output/files';
import { planHosts, type HostPlan } from '../hosts/plan';
import { applyReadmeSection } from './apply';
import { hostInstructions } from './hosts';
import { ingressMigrationSection } from './ingress-migration';
import { operationsReadme } from './operations';
import { secretsReadmeSections } from './secrets';
import type { ReadmeSection } from './section';
import { securityReadmeSection } from './security';

export type { ReadmeSection } from './section';

/** The sections of dist/README.md, in order. `files`: every other file of the render; `hosts`: its host files. */
export function distReadmeSections(
  model: ClusterModel,
  files: readonly RenderedFile[],
  objects: readonly K8sObject[],
  warnings: readonly string[],
  hosts: HostPlan = planHosts(model),
): ReadmeSection[] {
  return [
    ...(warnings.length ? [{ title: 'Warnings', body: warnings.map((w) => `- ${w}`).join('\n') }] : []),
    applyReadmeSection(model, files),
    ...secretsReadmeSections(model),
    ingressMigrationSection(model),
    securityReadmeSection(model, objects),
    { title: 'Hosts', body: hostInstructions(model, hosts) },
    { title: 'Operations', body: operationsReadme(model) },
    {
      title: 'Architecture',
      body: files
        .filter((f) => f.path.startsWith('docs/'))
        .map((f) => `- [\`${f.path}\`](${f.path})`)
        .join('\n')
        .concat(
          '\n\nNode inventory, IP plan, port matrix, failure domains, the checks that held for this render, and diagrams, generated from the description.',
        ),
    },
  ];
}

/** dist/README.md: the layout of the render, then {@link distReadmeSections}. */
export function renderDistReadme(
  model: ClusterModel,
  files: readonly RenderedFile[],
  objects: readonly K8sObject[],
  warnings: readonly string[],
  hosts: HostPlan = planHosts(model),
): string {
  const sections = distReadmeSections(model, files, objects, warnings, hosts);
  const manifests = files
    .filter((f) => !f.path.includes('/') && /\.ya?ml$/.test(f.path))
    .map((f) => f.path)
    .sort();
  const hostDirs = [...new Set(files.filter((f) => f.path.startsWith('hosts/')).map((f) => f.path.split('/')[1]))].sort();
  const lines = [
    `# ${model.name}: generated cluster artifacts`,
    '',
    `Generated from the cluster description by \`npm run synth\`. Do not edit: change the description and re-render.`,
    `Kubernetes ${model.kubernetes.version}, API endpoint ${model.apiServer.vip}:${model.apiServer.port}, ingress ${model.ingress.loadBalancerIP}.`,
    '',
    '## Layout',
    '',
    '- Kubernetes manifests, applied in lexical order by `kubectl apply -f dist`:',
    ...manifests.map((m) => `  - \`${m}\``),
    `- \`hosts/<hostname>/\`: files for the machines (kubectl does not descend into it): ${hostDirs.map((h) => `\`${h}\``).join(', ') || 'none'}.`,
    '',
  ];
  for (const section of sections) lines.push(`## ${section.title}`, '', section.body.trimEnd(), '');
  return lines.join('\n');
}
