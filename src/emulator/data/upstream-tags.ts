// Tags that exist upstream, for the images the emulator knows by name — so that a remote
// repository (or a public image) answers what the real upstream has, and a tag it does not have
// (`v9.9.9`) fails as it would on Google instead of being synthesized. Other images keep the
// release-like rule of apis/artifact-registry.ts.
//
// Provenance: ghcr.io/runatlantis/atlantis — the git tags of github.com/runatlantis/atlantis
// (Apache-2.0) up to v0.47.1 (2026-08-20), read with `git tag`; its image workflow
// (.github/workflows/atlantis-image.yml, docker/metadata-action) pushes each release tag as
// `vX.Y.Z` (and `-alpine`/`-debian` variants), `vX.Y` for releases, `latest`/`prerelease-latest`
// (with the same suffixes) and `dev` from the default branch. Not a recording of the registry:
// tags that workflow did not exist for (the earliest releases) are accepted too.

const ATLANTIS_RELEASES = `
  v0.1.0 v0.1.1 v0.1.2 v0.1.3 v0.2.0 v0.2.1 v0.2.2 v0.2.3 v0.2.4 v0.3.0 v0.3.1 v0.3.2 v0.3.3 v0.3.4 v0.3.5 v0.3.6 v0.3.7
  v0.3.8 v0.3.9 v0.3.10 v0.3.11 v0.4.0 v0.4.1 v0.4.2 v0.4.3 v0.4.4 v0.4.5 v0.4.6 v0.4.7 v0.4.8 v0.4.9 v0.4.10 v0.4.11
  v0.4.12 v0.4.13 v0.4.14 v0.4.15 v0.5.0 v0.5.1 v0.6.0 v0.7.0 v0.7.0-alpha1 v0.7.1 v0.7.2 v0.8.0 v0.8.1 v0.8.2 v0.8.3
  v0.9.0 v0.10.0 v0.10.1 v0.10.2 v0.11.0 v0.11.1 v0.12.0 v0.13.0 v0.14.0 v0.15.0 v0.15.1 v0.16.0 v0.16.1 v0.17.0
  v0.17.0-beta v0.17.1 v0.17.2 v0.17.3 v0.17.4 v0.17.5 v0.17.6 v0.18.0 v0.18.1 v0.18.2 v0.18.3 v0.18.4 v0.18.5 v0.19.0
  v0.19.1 v0.19.2 v0.19.2-pre.20220408 v0.19.3 v0.19.3-pre.20220408 v0.19.3-pre.20220429 v0.19.4 v0.19.4-pre.20220513
  v0.19.5 v0.19.5-pre.20220616 v0.19.5-pre.20220622 v0.19.5-pre.20220628 v0.19.6 v0.19.7 v0.19.7-pre.20220713 v0.19.8
  v0.19.8-pre.20220722 v0.19.8-pre.20220810 v0.19.9 v0.19.9-pre.20220822 v0.19.9-pre.20220908 v0.19.9-pre.20220912
  v0.19.9-pre.20220923 v0.20.0 v0.20.1 v0.20.2-pre.20221106 v0.21.0 v0.21.0-pre.20221114 v0.21.0-pre.20221120
  v0.21.0-pre.20221207 v0.21.1-pre.20221213 v0.22.0 v0.22.0-pre.20221219 v0.22.0-pre.20221226 v0.22.1 v0.22.2 v0.22.3
  v0.22.3-pre.20230110 v0.22.3-pre.20230111 v0.23.0 v0.23.0-pre.20230125 v0.23.0-pre.20230209 v0.23.0-pre.20230222
  v0.23.1 v0.23.2 v0.23.3 v0.23.4 v0.23.5 v0.24.0 v0.24.1 v0.24.2 v0.24.3 v0.24.4 v0.25.0 v0.26.0 v0.27.0 v0.27.1
  v0.27.2 v0.27.3 v0.28.0 v0.28.1 v0.28.2 v0.28.3 v0.28.4 v0.28.5 v0.29.0 v0.30.0 v0.31.0 v0.32.0 v0.33.0 v0.34.0
  v0.35.0 v0.35.1 v0.36.0 v0.37.0 v0.37.1 v0.38.0 v0.39.0 v0.40.0 v0.41.0 v0.42.0 v0.43.0 v0.44.0 v0.44.1 v0.45.0
  v0.46.0 v0.47.0 v0.47.1
`
  .trim()
  .split(/\s+/);

const SUFFIXES = ['', '-alpine', '-debian'];

function atlantisTags(): Set<string> {
  const tags = new Set<string>();
  for (const release of ATLANTIS_RELEASES) {
    for (const suffix of SUFFIXES) {
      tags.add(`${release}${suffix}`);
      // `vX.Y` follows the newest release of that minor version; pre-releases have none.
      if (!release.includes('-')) tags.add(`${release.replace(/^(v\d+\.\d+)\.\d+$/, '$1')}${suffix}`);
    }
  }
  for (const floating of ['latest', 'prerelease-latest', 'dev']) for (const suffix of SUFFIXES) tags.add(`${floating}${suffix}`);
  return tags;
}

/** Upstream base URL + image path → the tags it has. */
const CATALOGUE: Record<string, () => Set<string>> = {
  'https://ghcr.io/runatlantis/atlantis': atlantisTags,
};
const cache = new Map<string, Set<string>>();

/** Whether `tag` exists for `image` under `base` (an https:// registry URL): undefined when the emulator has no list for that image. */
export function upstreamHasTag(base: string, image: string, tag: string): boolean | undefined {
  const key = `${base.replace(/\/+$/, '')}/${image}`;
  const known = CATALOGUE[key];
  if (!known) return undefined;
  let tags = cache.get(key);
  if (!tags) cache.set(key, (tags = known()));
  return tags.has(tag);
}
