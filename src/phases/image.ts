// Image: the Atlantis image resolved to a digest, so a deploy pins exactly what it tested and a
// moved tag never changes a running service by surprise. `upstream` resolves
// ghcr.io/runatlantis/atlantis:<version> through the remote repository (Docker Registry HTTP API
// v2 with an OAuth token); `reference` takes the user's image, resolving a tag when it is in
// Artifact Registry; `build` takes the digest the build phase built (or found).
import type { AtlantisRunConfig } from '../config/load.js';
import { definePhase, type PhaseContext } from '../engine/phase.js';
import { desiredState, UPSTREAM_IMAGE } from '../desired/index.js';
import { GcpError } from '../gcp/errors.js';
import { RegistryClient, parseImageReference } from '../gcp/docker-registry-client.js';
import { OperationError } from '../errors.js';
import { lockRecord, recordKey, type LockfileData } from '../state/lockfile.js';
import { tagOf, type KnownImage } from '../cloudrun/version.js';

interface Live {
  /** The resolved digest reference, or undefined when it can only be resolved after the repository exists. */
  resolved: string | undefined;
  digest: string | undefined;
  /** The API deploy enables before the image can be resolved (a reference into a disabled Artifact Registry). */
  waitsFor?: string;
}

export const IMAGE_RECORD = recordKey<{ reference: string; digest?: string; source?: string }>('image');

/** What the lockfile vouches for: the digest reference the last deploy resolved, and the tag it came from. */
export function knownImages(lock: LockfileData | undefined): KnownImage[] {
  const record = lockRecord(lock, IMAGE_RECORD);
  const version = tagOf(record?.source);
  return record?.reference && version ? [{ reference: record.reference, version }] : [];
}

/** The image reference before resolution: the user's, or the upstream tag through the remote repository. */
function imageRef(config: AtlantisRunConfig): string {
  if (config.image.strategy === 'reference') return config.image.reference;
  return desiredState(config).image.reference;
}

/** A tag in Artifact Registry is resolved to a digest; other registries' references are taken as given. */
function needsResolution(ref: string): boolean {
  const parsed = parseImageReference(ref);
  return !parsed.digest && parsed.registry.endsWith('-docker.pkg.dev');
}

async function resolve(ctx: PhaseContext, ref: string): Promise<{ reference: string; digest: string }> {
  const host = parseImageReference(ref).registry;
  const region = host.replace(/-docker\.pkg\.dev$/, '');
  const client = new RegistryClient({
    baseUrl: ctx.gcp.factory.restBase('registry', region),
    accessToken: () => ctx.gcp.factory.accessToken(),
    // Artifact Registry's token service is known: no discovery round trip (except for a plain
    // test registry standing in through ATLANTIS_RUN_REGISTRY_HOST, which may use Basic auth).
    ...(ctx.gcp.factory.options.registryHost ? {} : { bearerRealm: { realm: `https://${host}/v2/token`, service: host } }),
    log: { write: (kind, data) => ctx.gcp.caller.log(kind, data) },
  });
  const resolved = await ctx.gcp.caller.run({ api: 'artifactregistry.googleapis.com', method: 'ResolveImageDigest', resource: ref }, () =>
    client.resolveDigest(ref),
  );
  return { reference: resolved.reference, digest: resolved.digest };
}

export const imagePhase = definePhase({
  name: 'image',
  title: 'Resolving the Atlantis image',
  needs: ['registry', 'build'],
  enabled: () => true,
  // Cloud Run pulls from Artifact Registry through the API of the project it deploys in.
  apis: (config) => (imageRef(config).includes('-docker.pkg.dev/') ? ['artifactregistry.googleapis.com'] : []),
  permissions: (config) => (config.image.strategy === 'upstream' ? ['artifactregistry.repositories.downloadArtifacts'] : []),
  clients: ['token'],
  record: IMAGE_RECORD,

  async read(ctx): Promise<Live> {
    if (ctx.config.image.strategy === 'build') return { resolved: undefined, digest: undefined };
    const ref = imageRef(ctx.config);
    const parsed = parseImageReference(ref);
    if (parsed.digest) return { resolved: ref, digest: parsed.digest };
    if (!needsResolution(ref)) return { resolved: undefined, digest: undefined };
    try {
      return await resolve(ctx, ref).then(({ reference, digest }) => ({ resolved: reference, digest }));
    } catch (err) {
      // A repository that does not exist yet (or a disabled API) is created by the registry phase;
      // the tag is resolved after that. A missing tag is a real error.
      const notYet =
        err instanceof GcpError &&
        (err.reason === 'SERVICE_DISABLED' ||
          (err.code === 'NOT_FOUND' && /NAME_UNKNOWN|repository/i.test(err.message)) ||
          err.code === 'PERMISSION_DENIED');
      if (notYet && ctx.config.image.strategy === 'upstream') return { resolved: undefined, digest: undefined };
      // Your own image in a project whose Artifact Registry API is still off: the APIs phase enables
      // it (this phase declares it), then apply resolves the tag. Not a missing permission.
      if (err instanceof GcpError && err.reason === 'SERVICE_DISABLED') {
        return { resolved: undefined, digest: undefined, waitsFor: err.metadata.service ?? 'artifactregistry.googleapis.com' };
      }
      throw err;
    }
  },

  plan(ctx, live) {
    const ref = imageRef(ctx.config);
    const warnings = live.waitsFor
      ? [{ message: `${live.waitsFor} is disabled: ${ref} is resolved to a digest once deploy has enabled it` }]
      : [];
    // A built image is the build phase's fact: left as it predicted.
    if (ctx.config.image.strategy === 'build') return { changes: [], warnings, decision: { ref, live } };
    return { changes: [], warnings, decision: { ref, live }, facts: { image: live.resolved ?? ref } };
  },

  async apply(ctx, { ref, live }) {
    if (ctx.config.image.strategy === 'build') {
      const built = ctx.facts.image;
      if (!built?.includes('@sha256:')) throw new OperationError(`the build phase left no image digest to deploy (${built ?? 'none'})`);
      const digest = built.slice(built.indexOf('@') + 1);
      return { record: { reference: built, digest, source: 'build' }, facts: { image: built }, summary: digest };
    }
    let reference = live.resolved;
    let digest = live.digest;
    if (!reference && needsResolution(ref)) ({ reference, digest } = await resolve(ctx, ref));
    reference ??= ref;
    if (!reference.includes('@sha256:') && needsResolution(ref)) throw new OperationError(`could not resolve ${ref} to a digest`);
    const source = ctx.config.image.strategy === 'upstream' ? `${UPSTREAM_IMAGE}:${ctx.config.atlantis.version}` : ref;
    return {
      record: { reference, ...(digest ? { digest } : {}), source },
      facts: { image: reference },
      summary: reference.replace(/^.*@/, ''),
    };
  },

  // Nothing to delete (the image lives in the repository); the record goes with the service.
  teardown: {
    read: () => Promise.resolve(undefined),
    plan: () => ({ steps: [] }),
  },
});
