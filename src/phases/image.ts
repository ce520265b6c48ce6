// Image: the Atlantis image resolved to a digest, so a deploy pins exactly what it tested and a
// moved tag never changes a running service by surprise. `upstream` resolves
// ghcr.io/runatlantis/atlantis:<version> through the remote repository (Docker Registry HTTP API
// v2 with an OAuth token); `reference` takes the user's image, resolving a tag when it is in
// Artifact Registry.
import { definePhase, type PhaseContext } from '../engine/phase.js';
import { GcpError } from '../gcp/errors.js';
import { RegistryClient, parseImageReference } from '../gcp/registry.js';
import { OperationError } from '../errors.js';

interface Live {
  /** The resolved digest reference, or undefined when it can only be resolved after the repository exists. */
  resolved: string | undefined;
  digest: string | undefined;
}

function imageRef(ctx: PhaseContext): string {
  const config = ctx.config;
  if (config.image.strategy === 'reference') return config.image.reference;
  return `${config.region}-docker.pkg.dev/${config.project}/${config.names.repositoryId}/runatlantis/atlantis:${config.atlantis.version}`;
}

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
    retry: { minDelayMs: ctx.gcp.caller.timing.retryBaseMs },
  });
  const resolved = await ctx.gcp.caller.run({ api: 'artifactregistry.googleapis.com', method: 'ResolveImageDigest', resource: ref }, () =>
    client.resolveDigest(ref),
  );
  return { reference: resolved.reference, digest: resolved.digest };
}

export const imagePhase = definePhase<Live>({
  name: 'image',
  title: 'Resolving the Atlantis image',
  needs: ['registry'],
  enabled: () => true,

  async read(ctx) {
    const ref = imageRef(ctx);
    const parsed = parseImageReference(ref);
    if (parsed.digest) return { resolved: ref, digest: parsed.digest };
    if (!needsResolution(ref)) return { resolved: undefined, digest: undefined };
    try {
      const { reference, digest } = await resolve(ctx, ref);
      return { resolved: reference, digest };
    } catch (err) {
      // A repository that does not exist yet (or a disabled API) is created by the registry phase;
      // the tag is resolved after that. A missing tag is a real error.
      if (
        err instanceof GcpError &&
        (err.reason === 'SERVICE_DISABLED' ||
          (err.code === 'NOT_FOUND' && /NAME_UNKNOWN|repository/i.test(err.message)) ||
          err.code === 'PERMISSION_DENIED')
      ) {
        if (ctx.config.image.strategy === 'upstream') return { resolved: undefined, digest: undefined };
      }
      throw err;
    }
  },

  plan(ctx, live) {
    ctx.facts.image = live.resolved ?? imageRef(ctx);
    return { changes: [] };
  },

  async apply(ctx, live) {
    let reference = live.resolved;
    let digest = live.digest;
    const ref = imageRef(ctx);
    if (!reference && needsResolution(ref)) {
      ({ reference, digest } = await resolve(ctx, ref));
    }
    reference ??= ref;
    if (!reference.includes('@sha256:') && needsResolution(ref)) {
      throw new OperationError(`could not resolve ${ref} to a digest`);
    }
    ctx.facts.image = reference;
    return {
      record: {
        image: {
          reference,
          ...(digest ? { digest } : {}),
          source: ctx.config.image.strategy === 'upstream' ? `ghcr.io/runatlantis/atlantis:${ctx.config.atlantis.version}` : ref,
        },
      },
      summary: reference.replace(/^.*@/, ''),
    };
  },
});
