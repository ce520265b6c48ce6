// Atlantis versions as ghcr.io/runatlantis/atlantis tags them: `vMAJOR.MINOR.PATCH`, pre-releases
// `v0.23.0-pre.20230222` (also `-beta`, `-alpha1` long ago), and flavour tags with `-alpine` or
// `-debian` appended (.github/workflows/atlantis-image.yml of runatlantis/atlantis). Which versions
// are newer, in what order, and where each one's release notes are.

/** Where every release's notes are; a release's own page is `…/tag/TAG`. */
export const ATLANTIS_RELEASES_URL = 'https://github.com/runatlantis/atlantis/releases';

const FLAVOURS = ['alpine', 'debian'] as const;
type Flavour = (typeof FLAVOURS)[number];

export interface AtlantisVersion {
  /** The tag as the registry lists it. */
  tag: string;
  major: number;
  minor: number;
  patch: number;
  /** `pre.20230222`, `beta`…; undefined for a stable release. */
  prerelease: string | undefined;
  /** The image flavour the tag names, when it names one. */
  flavour: Flavour | undefined;
}

const TAG = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*))?(?:-(alpine|debian))?$/;

/** The version a tag names, or undefined for tags that are not versions (`latest`, `dev-…`, `v0.47`). */
export function parseAtlantisTag(tag: string): AtlantisVersion | undefined {
  const match = TAG.exec(tag.trim());
  if (!match) return undefined;
  let prerelease: string | undefined = match[4];
  let flavour = match[5] as Flavour | undefined;
  // `v0.47.1-debian`: the flavour alone, read first as a pre-release by the pattern.
  if (!flavour && prerelease && (FLAVOURS as readonly string[]).includes(prerelease)) {
    flavour = prerelease as Flavour;
    prerelease = undefined;
  }
  return { tag, major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), prerelease, flavour };
}

/** Semantic-version order: numbers, then a release above its pre-releases, pre-releases by their dot-separated parts. */
export function compareVersions(a: AtlantisVersion, b: AtlantisVersion): number {
  const numbers = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (numbers !== 0) return numbers;
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === undefined) return 1;
  if (b.prerelease === undefined) return -1;
  const left = a.prerelease.split('.');
  const right = b.prerelease.split('.');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i];
    const y = right[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : undefined;
    const ny = /^\d+$/.test(y) ? Number(y) : undefined;
    if (nx !== undefined && ny !== undefined && nx !== ny) return nx - ny;
    if (nx !== undefined && ny === undefined) return -1;
    if (nx === undefined && ny !== undefined) return 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The release a tag belongs to (`v0.47.1-debian` → `v0.47.1`): what the release notes are named by. */
export function releaseOf(version: AtlantisVersion): string {
  return `v${version.major}.${version.minor}.${version.patch}${version.prerelease ? `-${version.prerelease}` : ''}`;
}

export function releaseNotesUrl(version: AtlantisVersion): string {
  return `${ATLANTIS_RELEASES_URL}/tag/${releaseOf(version)}`;
}

export interface NewerVersion {
  tag: string;
  prerelease: boolean;
  releaseNotes: string;
}

/**
 * The versions among `tags` newer than `current`, newest first: of the same flavour as `current`
 * (a `-debian` deployment is offered `-debian` tags), pre-releases only with `pre`.
 */
export function newerVersions(tags: readonly string[], current: AtlantisVersion, options: { pre: boolean }): NewerVersion[] {
  const seen = new Set<string>();
  return tags
    .map(parseAtlantisTag)
    .filter((v): v is AtlantisVersion => v !== undefined)
    .filter((v) => v.flavour === current.flavour && (options.pre || v.prerelease === undefined) && compareVersions(v, current) > 0)
    .sort((a, b) => compareVersions(b, a))
    .filter((v) => !seen.has(v.tag) && Boolean(seen.add(v.tag)))
    .map((v) => ({ tag: v.tag, prerelease: v.prerelease !== undefined, releaseNotes: releaseNotesUrl(v) }));
}
