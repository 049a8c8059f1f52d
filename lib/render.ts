/**
 * The whole render: model → Kubernetes objects, host files and docs, checked before anything is written.
 * Pure: returns the files; the CLI hands them to the writer.
 */
import type { App } from 'cdk8s';
import { composeCluster } from './app/cluster-app';
import { dataplaneOf } from './app/flows';
import { declaredAgents } from './app/platform';
import { namespaceLabelsOf } from './checks/flows';
import { checkFlows, Flows } from './flows';
import { OUTPUT_CHECKS } from './checks';
import type { K8sObject } from './k8s/object';
import { OutputCheckError, type CheckContext, type OutputCheck } from './checks/types';
import { renderDocs } from './docs';
import { planHosts, renderHostFiles } from './hosts';
import { day2Docs } from './readme/operations';
import type { ClusterModel } from './model/types';
import type { RenderedFile } from './output/files';
import { planManifests, synthChartObjects } from './output/manifests';
import { renderDistReadme } from './readme';
import { compareCodePoints } from './compare';

/** What {@link renderCluster} returns: the files for dist/ and what the CLI reports. */
export interface RenderResult {
  /** Every file for dist/, sorted by path. */
  readonly files: readonly RenderedFile[];
  readonly objects: readonly K8sObject[];
  /** Things the user should know (printed by the CLI, also in dist/README.md). */
  readonly warnings: readonly string[];
  /** Names of the output checks that held. */
  readonly checks: readonly string[];
}

/** Options of {@link renderCluster}. */
export interface RenderOptions {
  /** Checks to run before returning. @default OUTPUT_CHECKS */
  readonly checks?: readonly OutputCheck[];
  /**
   * Adds your own charts (or patches ours) before synthesis. Flows you declare there with
   * `Flows.of(scope)` are checked with the cluster's; your charts bring their own NetworkPolicies.
   * @default - none
   */
  readonly extend?: (app: App) => void;
}

/** What the user should know about this description (also the README's "Warnings"). */
function collectWarnings(model: ClusterModel): string[] {
  const warnings: string[] = [];
  if (model.ingress.controller === 'ingress-nginx') {
    warnings.push(
      'ingress-nginx is retired upstream (best-effort maintenance ended March 2026; v1.15.1 is the last release): it gets no security fixes. Switch with `ingress.controller: traefik` (Traefik v3.7 serves the same Ingress objects, class and nginx annotations); dist/README.md "Migrating to Traefik" gives the order that avoids downtime.',
    );
  }
  // Traefik honours PROXY protocol on the tunnel entry points only; its LAN listeners stay plain.
  if (model.tunnel?.proxyProtocol && model.ingress.controller === 'ingress-nginx') {
    warnings.push(
      `tunnel.proxyProtocol is on: ${model.ingress.className} on ${model.ingress.loadBalancerIP} now expects a PROXY protocol header on every connection, so LAN clients (and pods) that connect to it directly get errors; reach the apps through the tunnel, or keep proxyProtocol off and lose the client IP.`,
    );
  }
  return warnings;
}

/** A render whose output checks have not run yet (see {@link renderUnchecked}). */
export interface UncheckedRender {
  readonly files: readonly RenderedFile[];
  readonly objects: readonly K8sObject[];
  readonly warnings: readonly string[];
  /** The checks to run, in order (the option, or OUTPUT_CHECKS). */
  readonly checks: readonly OutputCheck[];
  /** What each check is given. */
  readonly context: CheckContext;
}

/**
 * The whole render of a validated model, without its checks: composes the constructs once, synthesizes them
 * once, lays the objects out in apply waves, renders the host files, docs and README. Pure: writes nothing.
 * {@link renderCluster} runs the checks on it; synth runs them around staging the files (lib/cli.ts).
 */
export function renderUnchecked(model: ClusterModel, options: RenderOptions = {}): UncheckedRender {
  const { app, platform, synthesized } = composeCluster(model);
  options.extend?.(app);
  const flows = Flows.catalogue(app).flows;
  // Synthesized once; an extension may have patched our charts, so then every chart is synthesized again.
  const layout = planManifests(synthChartObjects(app, options.extend ? undefined : synthesized), model, declaredAgents(platform));
  const objects = layout.objects;
  const warnings = collectWarnings(model);
  const checks = options.checks ?? OUTPUT_CHECKS;
  const dataplane = dataplaneOf(model);
  const flowResults = checkFlows({ flows, policies: objects, dataplane, namespaceLabels: namespaceLabelsOf(objects) });
  const hosts = planHosts(model); // every host's files, once: written, and described in the README
  const body: RenderedFile[] = [
    ...layout.files,
    ...renderHostFiles(model, hosts),
    ...renderDocs(model, { checks, warnings, flows: { results: flowResults, dataplane, enforced: model.security.networkPolicies } }),
    ...day2Docs(model),
  ];
  const files = [...body, { path: 'README.md', content: renderDistReadme(model, body, objects, warnings, hosts) }].sort((a, b) =>
    compareCodePoints(a.path, b.path),
  );
  return { files, objects, warnings, checks, context: { model, objects, files, flows, flowResults } };
}

/**
 * The whole render of a validated model ({@link renderUnchecked}), then the output checks (schema and CRD
 * validation, Pod Security admission, the flow check, the secret scan). Pure: writes nothing.
 * @throws OutputCheckError with every problem the checks found
 */
export function renderCluster(model: ClusterModel, options: RenderOptions = {}): RenderResult {
  const render = renderUnchecked(model, options);
  const problems = render.checks.flatMap((check) => check.run(render.context));
  if (problems.length) throw new OutputCheckError(problems);
  return checkedResult(render);
}

/** The result of a render whose checks all held. */
export function checkedResult(render: UncheckedRender): RenderResult {
  return { files: render.files, objects: render.objects, warnings: render.warnings, checks: render.checks.map((c) => c.name) };
}
