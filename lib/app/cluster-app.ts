/**
 * Composes the cdk8s App for a cluster model: platform components first, then the security layer that
 * sees them. Pure: no file system, no environment.
 */
import { App } from 'cdk8s';
import type { ClusterModel } from '../model/types';
import { addPlatform } from './platform';
import { addSecurity } from './security';

export function buildClusterApp(model: ClusterModel): App {
  const app = new App();
  const platform = addPlatform(app, model);
  addSecurity(app, model, platform);
  return app;
}
