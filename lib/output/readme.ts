/**
 * dist/README.md: what to apply where and in which order. Each stage contributes a section; this file
 * only frames them.
 */
import type { ClusterModel } from '../model/types';
import type { RenderedFile } from './files';

export interface ReadmeSection {
  readonly title: string;
  /** Markdown body, without the heading. */
  readonly body: string;
}

export function renderDistReadme(model: ClusterModel, files: readonly RenderedFile[], sections: readonly ReadmeSection[]): string {
  const manifests = files.filter((f) => !f.path.includes('/') && /\.ya?ml$/.test(f.path)).map((f) => f.path).sort();
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
