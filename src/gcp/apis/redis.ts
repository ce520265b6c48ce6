// Memorystore for Redis v1: the instance that holds Atlantis's locks, its AUTH string and its server
// CA. Values read back (the AUTH string) are registered for redaction before anything sees them.
import { registerSecret } from '../../util/redact.js';
import { orMissing, type Gcp } from '../call.js';
import { waitForOperation, type WaitOptions } from '../operations.js';
import { fromObjectForm } from './proto-json.js';

const API = 'redis.googleapis.com';

/** The fields of an Instance the tool sets or reads (proto3 JSON). */
export interface RedisInstance {
  name?: string;
  displayName?: string;
  labels?: Record<string, string>;
  locationId?: string;
  tier?: string;
  memorySizeGb?: number;
  authorizedNetwork?: string;
  connectMode?: string;
  authEnabled?: boolean;
  transitEncryptionMode?: string;
  host?: string;
  port?: number;
  state?: string;
  statusMessage?: string;
  serverCaCerts?: { cert?: string; expireTime?: string; sha1Fingerprint?: string }[];
}

type Wait = Pick<WaitOptions, 'timeoutMs' | 'onProgress'>;

export async function getRedisInstance(gcp: Gcp, name: string): Promise<RedisInstance | undefined> {
  const client = await gcp.factory.client('redis');
  const found = await orMissing(
    gcp.caller.run({ api: API, method: 'GetInstance', resource: name }, (o) => client.getInstance({ name }, o)),
  );
  return found ? (fromObjectForm(found[0]) as RedisInstance) : undefined;
}

/** Creates the instance and waits for it to be READY (Memorystore takes minutes). */
export async function createRedisInstance(
  gcp: Gcp,
  parent: string,
  instanceId: string,
  instance: RedisInstance,
  wait: Wait,
): Promise<void> {
  const client = await gcp.factory.client('redis');
  const resource = `${parent}/instances/${instanceId}`;
  const [operation] = await gcp.caller.run({ api: API, method: 'CreateInstance', resource, mutating: true }, (o) =>
    client.createInstance({ parent, instanceId, instance: instance as never }, o),
  );
  await waitForOperation(gcp, operation, { api: API, label: `create Memorystore instance ${instanceId}`, resource, ...wait });
}

/** Changes the fields `paths` names (snake_case update mask), and waits for the update. */
export async function updateRedisInstance(gcp: Gcp, instance: RedisInstance, paths: string[], wait: Wait): Promise<void> {
  const client = await gcp.factory.client('redis');
  const resource = instance.name!;
  const [operation] = await gcp.caller.run({ api: API, method: 'UpdateInstance', resource, mutating: true }, (o) =>
    client.updateInstance({ instance: instance as never, updateMask: { paths } }, o),
  );
  await waitForOperation(gcp, operation, {
    api: API,
    label: `update Memorystore instance ${resource.split('/').pop()}`,
    resource,
    ...wait,
  });
}

export async function deleteRedisInstance(gcp: Gcp, name: string, wait: Wait): Promise<boolean> {
  const client = await gcp.factory.client('redis');
  const started = await orMissing(
    gcp.caller.run({ api: API, method: 'DeleteInstance', resource: name, mutating: true }, (o) => client.deleteInstance({ name }, o)),
  );
  if (!started) return false;
  await orMissing(
    waitForOperation(gcp, started[0], { api: API, label: `delete Memorystore instance ${name.split('/').pop()}`, resource: name, ...wait }),
  );
  return true;
}

/** The AUTH string ("" when AUTH is off), registered for redaction at once. */
export async function getRedisAuthString(gcp: Gcp, name: string): Promise<string> {
  const client = await gcp.factory.client('redis');
  const [response] = await gcp.caller.run({ api: API, method: 'GetInstanceAuthString', resource: name }, (o) =>
    client.getInstanceAuthString({ name }, o),
  );
  const auth = response.authString ?? '';
  if (auth) registerSecret(auth);
  return auth;
}
