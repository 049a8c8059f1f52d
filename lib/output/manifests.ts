/**
 * Lays Kubernetes objects out as one file per apply wave at the top of dist/ (`NN-<wave>.yaml`), so
 * `kubectl apply -f dist` (which reads that level in lexical order), Argo CD (sync-wave annotations) and
 * Flux (Kustomizations under flux/) apply them in the order waves.ts derives from their dependencies.
 * Objects are cleaned first (labels.ts).
 */
import type { App, Chart } from 'cdk8s';
import type { K8sObject } from '../k8s/object';
import type { ClusterModel } from '../model/types';
import { serializedFile, type RenderedFile } from './files';
import { renderFluxFiles } from './flux';
import { cleanObject, withAnnotation, type ChartObjects } from './labels';
import { planWaves, type DeclaredAgents, type Wave, type WavePlan } from './waves';
import { dumpYaml } from './yaml';

export type { ChartObjects } from './labels';

/** The Argo CD annotation every object carries: its wave number. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/**
 * Every chart of the app as plain objects, tagged with the chart id (the component). Charts in `synthesized`
 * (already synthesized by the composition) are not synthesized again.
 */
export function synthChartObjects(app: App, synthesized: ReadonlyMap<Chart, readonly K8sObject[]> = new Map()): ChartObjects[] {
  return app.charts.map((chart) => ({ chart: chart.node.id, objects: (synthesized.get(chart) ?? chart.toJson()) as K8sObject[] }));
}

export function serializeObjects(objects: readonly K8sObject[]): string {
  return objects.map((o) => dumpYaml(o, { quotingType: '"' })).join('---\n');
}

export interface ManifestLayout {
  /** Wave files (and flux/ files when the model asks for Flux). */
  readonly files: readonly RenderedFile[];
  /** Every object as written, in apply order. */
  readonly objects: readonly K8sObject[];
  /** The waves, with the objects as written. */
  readonly plan: WavePlan;
}

const isChartObjects = (input: readonly ChartObjects[] | readonly K8sObject[]): input is readonly ChartObjects[] =>
  input.length > 0 && Array.isArray((input[0] as ChartObjects).objects);

/**
 * Cleans and labels the objects, plans the waves, annotates each object with its wave and serializes one
 * file per wave (plus flux/ when `model.output.flux`). Plain objects (without chart ids) get
 * `app.kubernetes.io/component` from their own labels only. `agents`: the network agents the components
 * declare (see {@link DeclaredAgents}); without them the planner recognises them in the objects.
 */
export function planManifests(input: readonly ChartObjects[] | readonly K8sObject[], model?: ClusterModel, agents?: DeclaredAgents): ManifestLayout {
  const sources: readonly ChartObjects[] = isChartObjects(input) ? input : [{ chart: '', objects: input as readonly K8sObject[] }];
  const cleaned = sources.flatMap((source) => source.objects.map((o) => cleanObject(o, { partOf: model?.output.partOf, chart: source.chart || undefined })));
  const planned = planWaves(cleaned, agents);
  const waves: Wave[] = planned.waves.map((wave) => ({
    ...wave,
    objects: wave.objects.map((o) => withAnnotation(o, SYNC_WAVE_ANNOTATION, String(wave.number))),
  }));
  const files: RenderedFile[] = waves.map((wave) => serializedFile(wave.file, serializeObjects(wave.objects), wave.objects));
  if (model?.output.flux) files.push(...renderFluxFiles(model, waves));
  return { files, objects: waves.flatMap((w) => w.objects), plan: { waves, graph: planned.graph } };
}
