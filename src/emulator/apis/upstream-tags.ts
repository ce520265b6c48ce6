// What the emulator knows of the tags an upstream registry publishes, so that a remote repository's
// Docker Registry `tags/list` can name versions nobody has pulled yet (what `atlantis-run upgrade`
// lists), and a pull of a tag the upstream does not have (`v9.9.9`) fails as it would on Google
// instead of being synthesized. Remote repositories never reach their upstream here, so the upstream's tags come from a
// bundled, dated list of real tags (below) plus what tests and rehearsals publish into the state
// (`publishUpstreamTags`, collection `artifactregistry.upstreamTags`).
import type { EmulatorServices } from '../core/services.js';

export const UPSTREAM_TAGS_COLLECTION = 'artifactregistry.upstreamTags';

interface UpstreamTagsRecord {
  tags: string[];
}

// The release tags of github.com/runatlantis/atlantis (Apache-2.0) from v0.17.0 on, as `git tag`
// lists them in a clone taken 2026-08-22 (newest v0.47.1). Its image workflow
// (.github/workflows/atlantis-image.yml: docker/metadata-action, `type=semver,pattern={{version}},prefix=v`
// on `v*.*.*` tags) publishes each of them as a tag of ghcr.io/runatlantis/atlantis. Only these
// and `latest` are listed: the flavour tags (`-alpine`, `-debian`, `vX.Y-…`) and the dev/pr tags
// the same workflow pushes are left out.
const ATLANTIS_RELEASES = [
  'v0.17.0-beta', 'v0.17.0', 'v0.17.1', 'v0.17.2', 'v0.17.3', 'v0.17.4', 'v0.17.5', 'v0.17.6',
  'v0.18.0', 'v0.18.1', 'v0.18.2', 'v0.18.3', 'v0.18.4', 'v0.18.5',
  'v0.19.0', 'v0.19.1', 'v0.19.2-pre.20220408', 'v0.19.2', 'v0.19.3-pre.20220408', 'v0.19.3-pre.20220429', 'v0.19.3',
  'v0.19.4-pre.20220513', 'v0.19.4', 'v0.19.5-pre.20220616', 'v0.19.5-pre.20220622', 'v0.19.5-pre.20220628', 'v0.19.5',
  'v0.19.6', 'v0.19.7-pre.20220713', 'v0.19.7', 'v0.19.8-pre.20220722', 'v0.19.8-pre.20220810', 'v0.19.8',
  'v0.19.9-pre.20220822', 'v0.19.9-pre.20220908', 'v0.19.9-pre.20220912', 'v0.19.9-pre.20220923', 'v0.19.9',
  'v0.20.0', 'v0.20.1', 'v0.20.2-pre.20221106',
  'v0.21.0-pre.20221114', 'v0.21.0-pre.20221120', 'v0.21.0-pre.20221207', 'v0.21.0', 'v0.21.1-pre.20221213',
  'v0.22.0-pre.20221219', 'v0.22.0-pre.20221226', 'v0.22.0', 'v0.22.1', 'v0.22.2', 'v0.22.3-pre.20230110',
  'v0.22.3-pre.20230111', 'v0.22.3',
  'v0.23.0-pre.20230125', 'v0.23.0-pre.20230209', 'v0.23.0-pre.20230222', 'v0.23.0', 'v0.23.1', 'v0.23.2', 'v0.23.3',
  'v0.23.4', 'v0.23.5',
  'v0.24.0', 'v0.24.1', 'v0.24.2', 'v0.24.3', 'v0.24.4', 'v0.25.0', 'v0.26.0', 'v0.27.0', 'v0.27.1', 'v0.27.2', 'v0.27.3',
  'v0.28.0', 'v0.28.1', 'v0.28.2', 'v0.28.3', 'v0.28.4', 'v0.28.5', 'v0.29.0', 'v0.30.0', 'v0.31.0', 'v0.32.0', 'v0.33.0',
  'v0.34.0', 'v0.35.0', 'v0.35.1', 'v0.36.0', 'v0.37.0', 'v0.37.1', 'v0.38.0', 'v0.39.0', 'v0.40.0', 'v0.41.0', 'v0.42.0',
  'v0.43.0', 'v0.44.0', 'v0.44.1', 'v0.45.0', 'v0.46.0', 'v0.47.0', 'v0.47.1',
  'latest',
]; // prettier-ignore

/** Bundled upstream tag lists, by `https://HOST/PATH` of the upstream image. */
const BUNDLED: Record<string, readonly string[]> = {
  'https://ghcr.io/runatlantis/atlantis': ATLANTIS_RELEASES,
};

/** `ghcr.io/runatlantis/atlantis` or `https://ghcr.io/runatlantis/atlantis` → the key tag lists are kept under. */
function keyOf(image: string): string {
  const bare = image
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  return `https://${bare}`;
}

/**
 * Records that the upstream image publishes `tags` too (a new Atlantis release, a pre-release):
 * remote repositories proxying it list them from now on. `image` is `HOST/PATH` of the upstream,
 * e.g. `ghcr.io/runatlantis/atlantis`. Tests call it through `emulator.mutate(...)`.
 */
export function publishUpstreamTags(services: EmulatorServices, image: string, tags: string[]): void {
  const collection = services.store.collection<UpstreamTagsRecord>(UPSTREAM_TAGS_COLLECTION);
  const key = keyOf(image);
  const known = new Set(collection.get(key)?.tags ?? []);
  for (const tag of tags) known.add(tag);
  collection.set(key, { tags: [...known] });
}

/** The tags the emulator knows the upstream image `base/image` to publish (bundled and published ones). */
export function upstreamTags(services: EmulatorServices, base: string, image: string): string[] {
  const key = keyOf(`${base}/${image}`);
  const published = services.store.collection<UpstreamTagsRecord>(UPSTREAM_TAGS_COLLECTION).get(key)?.tags ?? [];
  return [...new Set([...(BUNDLED[key] ?? []), ...published])];
}

/** Flavour suffixes the Atlantis image workflow adds to every tag it pushes. */
const FLAVOURS = /-(alpine|debian)$/;
/** Tags the same workflow moves along: from the default branch and the newest (pre-)release. */
const FLOATING = ['latest', 'prerelease-latest', 'dev'];

/**
 * Whether the upstream image `base/image` has `tag`; undefined when the emulator has no list for
 * that image. Beside the releases, the workflow pushes each with its flavours (`-alpine`,
 * `-debian`), `vX.Y` for the newest release of a minor version, and the floating tags.
 */
export function upstreamHasTag(services: EmulatorServices, base: string, image: string, tag: string): boolean | undefined {
  if (!BUNDLED[keyOf(`${base}/${image}`)]) return undefined;
  const releases = upstreamTags(services, base, image);
  const bare = tag.replace(FLAVOURS, '');
  if (FLOATING.includes(bare) || releases.includes(bare)) return true;
  return /^v\d+\.\d+$/.test(bare) && releases.some((r) => !r.includes('-') && r.startsWith(`${bare}.`));
}
