// Secret Manager v1: secrets, versions and their IAM policies. Payloads read back are registered
// for redaction before anything else can see them.
import CRC32C from 'crc-32/crc32c.js';
import { registerSecret } from '../../util/redact.js';
import { OperationError } from '../../errors.js';
import { GcpError } from '../errors.js';
import { IAM_SET, MAYBE_APPLIED } from '../retry.js';
import { orMissing, type Gcp } from '../call.js';
import { shortName } from '../resource-names.js';
import type { IamPolicy } from './iam-policy.js';

const API = 'secretmanager.googleapis.com';

export interface SecretInfo {
  name: string;
  labels: Record<string, string>;
}

export interface VersionInfo {
  name: string;
  /** The version number, as a string ("3"). */
  version: string;
  state: string;
  createTime: string | undefined;
}

export function crc32c(data: Buffer): number {
  return CRC32C.buf(data) >>> 0;
}

export async function getSecret(gcp: Gcp, name: string): Promise<SecretInfo | undefined> {
  const client = await gcp.factory.client('secretManager');
  const found = await orMissing(gcp.caller.run({ api: API, method: 'GetSecret', resource: name }, (o) => client.getSecret({ name }, o)));
  if (!found) return undefined;
  return { name: String(found[0].name), labels: { ...(found[0].labels ?? {}) } };
}

export async function createSecret(gcp: Gcp, project: string, secretId: string, labels: Record<string, string>): Promise<void> {
  const client = await gcp.factory.client('secretManager');
  await gcp.caller.run({ api: API, method: 'CreateSecret', resource: `projects/${project}/secrets/${secretId}`, mutating: true }, (o) =>
    client.createSecret({ parent: `projects/${project}`, secretId, secret: { replication: { automatic: {} }, labels } }, o),
  );
}

export async function updateSecretLabels(gcp: Gcp, name: string, labels: Record<string, string>): Promise<void> {
  const client = await gcp.factory.client('secretManager');
  await gcp.caller.run({ api: API, method: 'UpdateSecret', resource: name, mutating: true }, (o) =>
    client.updateSecret({ secret: { name, labels }, updateMask: { paths: ['labels'] } }, o),
  );
}

export async function deleteSecret(gcp: Gcp, name: string): Promise<boolean> {
  const client = await gcp.factory.client('secretManager');
  return Boolean(
    await orMissing(
      gcp.caller.run({ api: API, method: 'DeleteSecret', resource: name, mutating: true }, (o) => client.deleteSecret({ name }, o)),
    ),
  );
}

/** Every version, newest first; none when the secret does not exist. */
export async function listVersions(gcp: Gcp, secretName: string): Promise<VersionInfo[]> {
  const client = await gcp.factory.client('secretManager');
  const found = await orMissing(
    gcp.caller.run({ api: API, method: 'ListSecretVersions', resource: secretName }, (o) =>
      client.listSecretVersions({ parent: secretName }, { ...o, autoPaginate: true }),
    ),
  );
  return (found?.[0] ?? [])
    .map((v) => ({
      name: String(v.name),
      version: shortName(String(v.name)),
      state: String(v.state ?? ''),
      createTime: v.createTime?.seconds ? new Date(Number(v.createTime.seconds) * 1000).toISOString() : undefined,
    }))
    .sort((a, b) => Number(b.version) - Number(a.version));
}

/**
 * Adds a version; returns its number. The CRC32C lets Secret Manager reject a corrupted payload.
 * Adding is not idempotent (Google's client configuration retries it on nothing): a failure that
 * may have come after the version was added (a 503, a 504, a reset) is retried only once the
 * newest version is found not to be this value — otherwise that version is the result.
 */
export async function addVersion(gcp: Gcp, secretName: string, data: Buffer): Promise<string> {
  const client = await gcp.factory.client('secretManager');
  const checksum = crc32c(data);
  const name = await gcp.caller.run(
    { api: API, method: 'AddSecretVersion', resource: secretName, mutating: true, retry: MAYBE_APPLIED },
    async (o) => String((await client.addSecretVersion({ parent: secretName, payload: { data, dataCrc32c: checksum } }, o))[0].name),
    () => newestHolding(gcp, secretName, data, checksum),
  );
  return shortName(name);
}

/** The newest enabled version's name if it holds exactly `data` (its CRC32C first, then the bytes). */
async function newestHolding(gcp: Gcp, secretName: string, data: Buffer, checksum: number): Promise<string | undefined> {
  const newest = (await listVersions(gcp, secretName)).find((v) => v.state === 'ENABLED');
  if (!newest) return undefined;
  const client = await gcp.factory.client('secretManager');
  let response;
  try {
    [response] = await gcp.caller.run({ api: API, method: 'AccessSecretVersion', resource: newest.name }, (o) =>
      client.accessSecretVersion({ name: newest.name }, o),
    );
  } catch (err) {
    if (!(err instanceof GcpError && err.code === 'PERMISSION_DENIED')) throw err;
    throw new OperationError(
      `the reply to adding a version of ${secretName} was lost, and whether it was added cannot be checked without secretmanager.versions.access`,
      { hint: `look at \`gcloud secrets versions list ${shortName(secretName)}\` before running the command again`, cause: err },
    );
  }
  const payload = Buffer.from((response.payload?.data as Uint8Array | string | undefined) ?? '');
  registerSecret(payload);
  const stored = response.payload?.dataCrc32c;
  const storedChecksum = stored === undefined || stored === null ? crc32c(payload) : Number(stored);
  return storedChecksum === checksum && payload.equals(data) ? newest.name : undefined;
}

export async function accessVersion(gcp: Gcp, versionName: string): Promise<Buffer> {
  const client = await gcp.factory.client('secretManager');
  const [response] = await gcp.caller.run({ api: API, method: 'AccessSecretVersion', resource: versionName }, (o) =>
    client.accessSecretVersion({ name: versionName }, o),
  );
  const data = Buffer.from((response.payload?.data as Uint8Array | string | undefined) ?? '');
  registerSecret(data);
  return data;
}

export async function disableVersion(gcp: Gcp, versionName: string): Promise<void> {
  const client = await gcp.factory.client('secretManager');
  await gcp.caller.run({ api: API, method: 'DisableSecretVersion', resource: versionName, mutating: true }, (o) =>
    client.disableSecretVersion({ name: versionName }, o),
  );
}

/** Enables a disabled version again (a rollback to a revision that pins it needs it readable). */
export async function enableVersion(gcp: Gcp, versionName: string): Promise<void> {
  const client = await gcp.factory.client('secretManager');
  await gcp.caller.run({ api: API, method: 'EnableSecretVersion', resource: versionName, mutating: true }, (o) =>
    client.enableSecretVersion({ name: versionName }, o),
  );
}

export async function getSecretPolicy(gcp: Gcp, secretName: string): Promise<IamPolicy> {
  const client = await gcp.factory.client('secretManager');
  const [policy] = await gcp.caller.run({ api: API, method: 'GetIamPolicy', resource: secretName }, (o) =>
    client.getIamPolicy({ resource: secretName, options: { requestedPolicyVersion: 3 } }, o),
  );
  return policy;
}

export async function setSecretPolicy(gcp: Gcp, secretName: string, policy: IamPolicy): Promise<IamPolicy> {
  const client = await gcp.factory.client('secretManager');
  const [updated] = await gcp.caller.run({ api: API, method: 'SetIamPolicy', resource: secretName, mutating: true, retry: IAM_SET }, (o) =>
    client.setIamPolicy({ resource: secretName, policy }, o),
  );
  return updated;
}
