// The Docker registry side of Artifact Registry for builds: the base image's digest through the
// ghcr.io proxy, and whether an image with a given tag is already in the build repository.
import { RegistryClient, parseImageReference } from '../gcp/docker-registry-client.js';
import { GcpError } from '../gcp/errors.js';
import type { Gcp } from '../gcp/call.js';

function clientFor(gcp: Gcp, ref: string): RegistryClient {
  const host = parseImageReference(ref).registry;
  const region = host.replace(/-docker\.pkg\.dev$/, '');
  return new RegistryClient({
    baseUrl: gcp.factory.restBase('registry', region),
    accessToken: () => gcp.factory.accessToken(),
    // Artifact Registry's token service is known (a plain test registry may use Basic auth instead).
    ...(gcp.factory.options.registryHost ? {} : { bearerRealm: { realm: `https://${host}/v2/token`, service: host } }),
    log: { write: (kind, data) => gcp.caller.log(kind, data) },
  });
}

/** The image `ref` (a tag) by digest: HOST/PATH@sha256:… */
export async function resolveImage(gcp: Gcp, ref: string): Promise<{ reference: string; digest: string }> {
  const client = clientFor(gcp, ref);
  const resolved = await gcp.caller.run({ api: 'artifactregistry.googleapis.com', method: 'ResolveImageDigest', resource: ref }, () =>
    client.resolveDigest(ref),
  );
  return { reference: resolved.reference, digest: resolved.digest };
}

/**
 * A registry answer meaning "not there (yet)": no repository, no such tag, the API still disabled,
 * or Artifact Registry's 403 for what "may not exist".
 */
export function isAbsent(err: unknown): boolean {
  if (!(err instanceof GcpError)) return false;
  return err.code === 'NOT_FOUND' || err.reason === 'SERVICE_DISABLED' || (err.code === 'PERMISSION_DENIED' && isDisabledOrMissing(err));
}

/** The repository (not the tag) is missing, or the API is off: what a first deploy sees before the proxy exists. */
export function isRepositoryAbsent(err: unknown): boolean {
  if (!(err instanceof GcpError)) return false;
  if (err.code === 'NOT_FOUND') return /has no repository/.test(err.message);
  return err.reason === 'SERVICE_DISABLED' || (err.code === 'PERMISSION_DENIED' && isDisabledOrMissing(err));
}

function isDisabledOrMissing(err: GcpError): boolean {
  return /may not exist|SERVICE_DISABLED|has not been used|is disabled/i.test(err.message);
}

/** The digest of `ref` when the tag exists; undefined when the tag, the repository or the API is not there. */
export async function findImage(gcp: Gcp, ref: string): Promise<{ reference: string; digest: string } | undefined> {
  try {
    return await resolveImage(gcp, ref);
  } catch (err) {
    if (isAbsent(err)) return undefined;
    throw err;
  }
}
