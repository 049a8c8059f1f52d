/**
 * Composes the cdk8s App for a cluster model: platform components first, then the security layer that
 * sees them. Pure: no file system, no environment.
 *
 * Each platform chart is synthesized once, here: the security layer plans Pod Security levels and isolated
 * namespaces from those objects, and the manifests reuse them (nothing adds to a platform chart after it is
 * synthesized; a caller that changes the app afterwards synthesizes again, see renderCluster).
 */
import { App, type Chart } from 'cdk8s';
import type { K8sObject } from '../k8s/object';
import type { ClusterModel } from '../model/types';
import { addPlatform, type Platform } from './platform';
import { addSecurity } from './security';

/** The composed app, the handles the platform returned, and the platform charts' objects. */
export interface ClusterComposition {
  readonly app: App;
  readonly platform: Platform;
  /** Objects of every platform chart, synthesized once. */
  readonly synthesized: ReadonlyMap<Chart, readonly K8sObject[]>;
}

/** Builds the app from the model: platform charts, synthesized once, then the security layer. */
export function composeCluster(model: ClusterModel): ClusterComposition {
  const app = new App();
  const platform = addPlatform(app, model);
  const synthesized = new Map<Chart, readonly K8sObject[]>(app.charts.map((chart) => [chart, chart.toJson() as K8sObject[]]));
  addSecurity(app, model, platform, [...synthesized.values()].flat());
  return { app, platform, synthesized };
}

/** The composed cdk8s App of a cluster model (see {@link composeCluster}); synthesize it yourself or pass it on. */
export function buildClusterApp(model: ClusterModel): App {
  return composeCluster(model).app;
}
