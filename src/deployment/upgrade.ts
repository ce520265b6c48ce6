// `upgrade` as a use case: which Atlantis runs now, which newer versions the registry proxy lists
// (the Docker Registry tags of ghcr.io/runatlantis/atlantis through the Artifact Registry remote
// repository), and which one to move to. Editing atlantis-run.yaml and deploying it are the
// command's (src/cli/commands/upgrade.ts), through the same engine as `deploy`.
import { UsageError } from '../errors.js';
import type { AtlantisRunConfig } from '../config/load.js';
import { IMAGE_TAG_PATTERN } from '../config/schema.js';
import { desiredState, UPSTREAM_IMAGE } from '../desired/index.js';
import { absentIfDisabled, type RunContext } from '../engine/context.js';
import { GcpError } from '../gcp/errors.js';
import { getService } from '../gcp/apis/run.js';
import { RegistryClient, parseImageReference } from '../gcp/docker-registry-client.js';
import { versionOf, type KnownImage } from '../cloudrun/version.js';
import { knownImages } from '../phases/image.js';
import { compareVersions, newerVersions, parseAtlantisTag, releaseNotesUrl, type NewerVersion } from '../atlantis/versions.js';
import { closest } from '../util/suggest.js';

export interface UpgradeCandidates {
  /** The version running now (or configured, before the first deploy). */
  current: string;
  currentSource: 'deployed' | 'config';
  /** Newer versions, newest first (pre-releases only when asked for). */
  versions: NewerVersion[];
  /** Every tag the proxy lists, for checking `--to`. */
  tags: string[];
  /** Where the tags were listed: REGION-docker.pkg.dev/P/REPO/runatlantis/atlantis. */
  repository: string;
}

/** Only the upstream image has versions to move between. */
export function requireUpstream(config: AtlantisRunConfig): void {
  if (config.image.strategy !== 'upstream') {
    throw new UsageError('upgrade follows ghcr.io/runatlantis/atlantis through the remote repository, and image.strategy is reference', {
      hint: 'change image.reference in atlantis-run.yaml to the new image, then run `atlantis-run deploy`',
    });
  }
}

function registryClient(run: RunContext, repository: string): RegistryClient {
  const host = parseImageReference(repository).registry;
  return new RegistryClient({
    baseUrl: run.gcp.factory.restBase('registry', run.config.region),
    accessToken: () => run.gcp.factory.accessToken(),
    ...(run.gcp.factory.options.registryHost ? {} : { bearerRealm: { realm: `https://${host}/v2/token`, service: host } }),
    log: { write: (kind, data) => run.gcp.caller.log(kind, data) },
  });
}

/** The versions newer than the one running, listed through the proxy. */
export async function upgradeCandidates(run: RunContext, options: { pre: boolean }): Promise<UpgradeCandidates> {
  const { config } = run;
  requireUpstream(config);
  const proxied = desiredState(config).image.reference;
  const repository = proxied.slice(0, proxied.lastIndexOf(':'));
  const client = registryClient(run, repository);
  const call = <T>(method: string, fn: () => Promise<T>) =>
    run.gcp.caller.run({ api: 'artifactregistry.googleapis.com', method, resource: repository }, fn);

  const [service, listed, configured] = await Promise.all([
    absentIfDisabled(run, getService(run.gcp, config.names.serviceName), undefined),
    call('ListTags', () => client.listTags(repository)).then(
      (tags) => ({ tags }),
      (error: unknown) => ({ error }),
    ),
    // The configured tag's digest vouches for the version a live digest is.
    call('ResolveImageDigest', () => client.resolveDigest(proxied)).catch(() => undefined),
  ]);
  if ('error' in listed) throw notListed(config, service, listed.error);
  const { tags } = listed;
  const known: KnownImage[] = [
    ...(configured ? [{ reference: configured.reference, version: config.atlantis.version }] : []),
    ...knownImages(run.lock),
  ];
  const deployed = service ? versionOf(service.template, known) : undefined;
  const current = deployed ?? config.atlantis.version;
  if (service && !deployed) {
    run.emit({
      type: 'warning',
      message: `nothing says which Atlantis version the deployed image ${service.template?.containers?.[0]?.image ?? ''} is: comparing with atlantis.version ${current}`,
    });
  }
  const parsed = parseAtlantisTag(current);
  if (!parsed) {
    throw new UsageError(
      `${deployed ? 'the deployed image' : 'atlantis.version'} is ${current}, which is not a version number: there is nothing to compare with`,
      {
        hint: `pin a version with \`atlantis-run upgrade --to VERSION\` (${UPSTREAM_IMAGE} tags look like v0.47.1)`,
      },
    );
  }
  return {
    current,
    currentSource: deployed ? 'deployed' : 'config',
    versions: newerVersions(tags, parsed, options),
    tags,
    repository,
  };
}

/** Why the proxy could not list tags: usually that nothing was deployed yet (no repository, or its API still off). */
function notListed(config: AtlantisRunConfig, service: unknown, error: unknown): unknown {
  if (!(error instanceof GcpError)) return error;
  const missing = error.code === 'NOT_FOUND' || (!service && error.code === 'PERMISSION_DENIED');
  if (!missing) return error;
  return new UsageError(
    service
      ? `the Artifact Registry repository ${config.names.repositoryId} that proxies ghcr.io does not exist (any more)`
      : `${config.service} is not deployed yet: the Artifact Registry repository that lists the Atlantis versions does not exist`,
    { hint: 'run `atlantis-run deploy` first: it creates the repository', cause: error },
  );
}

/** The version to move to: `--to` (which must be a tag the proxy lists), else the newest stable one; undefined when there is none. */
export function chooseVersion(candidates: UpgradeCandidates, to: string | undefined): { tag: string; older: boolean } | undefined {
  if (to === undefined) {
    const stable = candidates.versions.find((v) => !v.prerelease);
    return stable ? { tag: stable.tag, older: false } : undefined;
  }
  const tag = to.trim();
  if (!IMAGE_TAG_PATTERN.test(tag) || !candidates.tags.includes(tag)) {
    // Newest first: between equally near tags (v0.48.1 → v0.48.0 or v0.18.1), the newer one is meant.
    const byVersion = candidates.tags
      .map((t) => ({ t, v: parseAtlantisTag(t) }))
      .sort((a, b) => (a.v && b.v ? compareVersions(b.v, a.v) : a.v ? -1 : b.v ? 1 : 0))
      .map(({ t }) => t);
    const near = closest(tag, byVersion);
    throw new UsageError(`--to: unknown version ${tag}: ${UPSTREAM_IMAGE} has no such tag (listed through ${candidates.repository})`, {
      hint: `${near ? `did you mean ${near}? ` : ''}\`atlantis-run upgrade --list\` shows the newer versions${candidates.versions.length ? ` (newest: ${candidates.versions[0].tag})` : ''}`,
    });
  }
  const target = parseAtlantisTag(tag);
  const current = parseAtlantisTag(candidates.current);
  return { tag, older: Boolean(target && current && compareVersions(target, current) < 0) };
}

/** Release notes of every version from just after `current` up to `target`, newest first (what the upgrade brings). */
export function notesBetween(candidates: UpgradeCandidates, target: string): { tag: string; releaseNotes: string }[] {
  const upTo = parseAtlantisTag(target);
  const within = candidates.versions.filter((v) => {
    const parsed = parseAtlantisTag(v.tag);
    return upTo && parsed && compareVersions(parsed, upTo) <= 0;
  });
  if (within.length > 0) return within.map((v) => ({ tag: v.tag, releaseNotes: v.releaseNotes }));
  return upTo ? [{ tag: target, releaseNotes: releaseNotesUrl(upTo) }] : [];
}
