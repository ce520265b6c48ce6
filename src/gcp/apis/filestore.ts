// Filestore v1: the Basic HDD instance that holds the whole Atlantis data dir, reached over NFS.
import { orMissing, type Gcp } from '../call.js';
import { waitForOperation, type WaitOptions } from '../operations.js';
import { fromObjectForm } from './proto-json.js';

const API = 'file.googleapis.com';

/** The fields of an Instance the tool sets or reads (proto3 JSON; capacityGb is int64, a string in answers). */
export interface FilestoreInstance {
  name?: string;
  description?: string;
  labels?: Record<string, string>;
  tier?: string;
  state?: string;
  statusMessage?: string;
  fileShares?: { name: string; capacityGb?: string | number }[];
  networks?: { network: string; modes?: string[]; connectMode?: string; reservedIpRange?: string; ipAddresses?: string[] }[];
}

type Wait = Pick<WaitOptions, 'timeoutMs' | 'onProgress'>;

export async function getFilestoreInstance(gcp: Gcp, name: string): Promise<FilestoreInstance | undefined> {
  const client = await gcp.factory.client('filestore');
  const found = await orMissing(
    gcp.caller.run({ api: API, method: 'GetInstance', resource: name }, (o) => client.getInstance({ name }, o)),
  );
  return found ? (fromObjectForm(found[0]) as FilestoreInstance) : undefined;
}

/** Creates the instance and waits until it is READY (Filestore takes minutes). */
export async function createFilestoreInstance(
  gcp: Gcp,
  parent: string,
  instanceId: string,
  instance: FilestoreInstance,
  wait: Wait,
): Promise<void> {
  const client = await gcp.factory.client('filestore');
  const resource = `${parent}/instances/${instanceId}`;
  const [operation] = await gcp.caller.run({ api: API, method: 'CreateInstance', resource, mutating: true }, (o) =>
    client.createInstance({ parent, instanceId, instance: instance as never }, o),
  );
  await waitForOperation(gcp, operation, { api: API, label: `create Filestore instance ${instanceId}`, resource, ...wait });
}

export async function deleteFilestoreInstance(gcp: Gcp, name: string, wait: Wait): Promise<boolean> {
  const client = await gcp.factory.client('filestore');
  const started = await orMissing(
    gcp.caller.run({ api: API, method: 'DeleteInstance', resource: name, mutating: true }, (o) => client.deleteInstance({ name }, o)),
  );
  if (!started) return false;
  await orMissing(
    waitForOperation(gcp, started[0], { api: API, label: `delete Filestore instance ${name.split('/').pop()}`, resource: name, ...wait }),
  );
  return true;
}
