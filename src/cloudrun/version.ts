// Which Atlantis version a Cloud Run template or revision runs. The image names only a digest, so
// the version comes from what vouches for that digest: the image the configuration's tag resolved
// to now, the lockfile's record of the tag it resolved last, or else the version annotation the
// tool writes on every template (desired state).
import { VERSION_ANNOTATION } from '../desired/index.js';
import type { RunRevisionTemplate } from '../gcp/apis/run-types.js';

/** An image reference known to be a version's (`…@sha256:…` → `v0.47.1`). */
export interface KnownImage {
  reference: string;
  version: string;
}

/** `ghcr.io/runatlantis/atlantis:v0.47.1` → `v0.47.1` (undefined without a tag). */
export function tagOf(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const name = image.split('@')[0];
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
}

/** The version a template or revision runs, or undefined when nothing vouches for its image. */
export function versionOf(
  spec: Pick<RunRevisionTemplate, 'annotations' | 'containers'> | undefined,
  known: readonly KnownImage[],
): string | undefined {
  const image = spec?.containers?.[0]?.image;
  const vouched = image ? known.find((k) => k.reference === image)?.version : undefined;
  return vouched ?? spec?.annotations?.[VERSION_ANNOTATION] ?? tagOf(image);
}

/** `…@sha256:0123456789ab…` → `…@sha256:0123456789ab (v0.47.1)`: the digest with the version next to it. */
export function withVersion(image: string | undefined, version: string | undefined): string | undefined {
  if (!image) return undefined;
  return version && !image.endsWith(`:${version}`) ? `${image} (${version})` : image;
}
