/**
 * Image hygiene on the final objects: every container image is pinned (a tag other than `latest`, or a
 * digest), comes from the pinned image table (lib/versions.ts), and is published for the architecture of
 * every node its pods can be scheduled on (nodeSelector, required node affinity and taints decide).
 */
import type { Problem } from '../model/problems';
import { containersOf, podTemplates } from '../security/pod-template';
import { modelNodes, schedulableNodes, type NodeInfo } from '../security/scheduling';
import { IMAGES, type ImageSpec } from '../versions';
import { objectRef, type K8sObject } from '../k8s/object';
import type { OutputCheck } from './types';

export interface ImageReference {
  /** Registry and repository. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Splits `registry/repo:tag@sha256:…` (the tag is after the last `:` that follows the last `/`). */
export function parseImageReference(ref: string): ImageReference {
  const [nameAndTag, digest] = ref.split('@', 2);
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  const hasTag = colon > slash;
  return { repository: hasTag ? nameAndTag.slice(0, colon) : nameAndTag, tag: hasTag ? nameAndTag.slice(colon + 1) : undefined, digest };
}

export interface ImagePlatformsOptions {
  /** The pinned image table. */
  readonly images: readonly ImageSpec[];
  /** The nodes pods may land on. */
  readonly nodes: readonly NodeInfo[];
}

export function checkImages(objects: readonly K8sObject[], options: ImagePlatformsOptions): Problem[] {
  return podTemplates(objects).flatMap((template) => {
    const nodes = schedulableNodes(template.spec, options.nodes);
    return containersOf(template.spec).flatMap((c): Problem[] => {
      const path = `${objectRef(template.object)} ${template.specPath}.${c.path}.image`;
      const ref = c.container.image;
      if (!ref) return [{ path, message: 'is not set; every container names a pinned image from lib/versions.ts' }];
      const parsed = parseImageReference(ref);
      if (!parsed.digest && (!parsed.tag || parsed.tag === 'latest')) {
        return [
          {
            path,
            message: `${JSON.stringify(ref)} is ${parsed.tag ? 'the moving tag "latest"' : 'untagged (which means "latest")'}; pin a version tag or digest from lib/versions.ts`,
          },
        ];
      }
      const spec = options.images.find((i) => i.repository === parsed.repository && (parsed.tag === undefined || i.tag === parsed.tag));
      if (!spec) {
        return [
          {
            path,
            message: `${JSON.stringify(ref)} is not in the pinned image table (lib/versions.ts); add it there with its platforms and take it from IMAGES`,
          },
        ];
      }
      const missing = [...new Set(nodes.map((n) => n.arch))].filter((arch) => !(spec.platforms as readonly string[]).includes(arch)).sort();
      return missing.map((arch) => {
        const names = nodes.filter((n) => n.arch === arch).map((n) => n.name);
        return {
          path,
          message: `${JSON.stringify(ref)} is published for ${spec.platforms.join(', ')} but not ${arch}, and the pods can be scheduled on ${arch} nodes (${names.join(', ')}); restrict them with nodeSelector kubernetes.io/arch or use an image built for ${arch}`,
        };
      });
    });
  });
}

export const imagePlatformsCheck: OutputCheck = {
  name: 'image-platforms',
  description:
    'Every container image is pinned (no latest, no untagged), listed in lib/versions.ts, and published for the architecture of every node its pods can be scheduled on.',
  run: ({ model, objects }) => checkImages(objects, { images: Object.values(IMAGES), nodes: modelNodes(model) }),
};
