// Secret Manager v1: secrets, versions and their IAM policies. Payloads read back are registered
// for redaction before anything else can see them.
import CRC32C from 'crc-32/crc32c.js';
import { registerSecret } from '../../util/redact.js';
import { IAM_SET } from '../retry.js';
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

/** Adds a version; returns its number. The CRC32C lets Secret Manager reject a corrupted payload. */
export async function addVersion(gcp: Gcp, secretName: string, data: Buffer): Promise<string> {
  const client = await gcp.factory.client('secretManager');
  const [version] = await gcp.caller.run({ api: API, method: 'AddSecretVersion', resource: secretName, mutating: true }, (o) =>
    client.addSecretVersion({ parent: secretName, payload: { data, dataCrc32c: crc32c(data) } }, o),
  );
  return shortName(String(version.name));
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
