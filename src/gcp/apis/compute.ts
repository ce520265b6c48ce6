// Compute Engine v1 networks and subnetworks, over REST (the tool's one use of Compute does not
// justify its large client library): resources as Compute returns them, and Compute's own
// operations (`compute#operation`, status RUNNING → DONE) waited for through the one polling loop.
// https://cloud.google.com/compute/docs/reference/rest/v1/networks
import { randomUUID } from 'node:crypto';
import { OperationError } from '../../errors.js';
import { orMissing, type Gcp } from '../call.js';
import { poll, seconds } from '../poll.js';

const API = 'compute.googleapis.com';

export interface Network {
  name: string;
  description?: string;
  autoCreateSubnetworks?: boolean;
  selfLink?: string;
  subnetworks?: string[];
}

export interface Subnetwork {
  name: string;
  description?: string;
  /** A URL: https://www.googleapis.com/compute/v1/projects/P/global/networks/N */
  network: string;
  ipCidrRange: string;
  region?: string;
  selfLink?: string;
  state?: string;
}

interface ComputeOperation {
  name: string;
  status?: string;
  targetLink?: string;
  error?: { errors?: { code?: string; message?: string }[] };
  httpErrorStatusCode?: number;
}

export interface ComputeWait {
  timeoutMs: number;
  onProgress?: ((elapsedMs: number) => void) | undefined;
}

const base = (gcp: Gcp, project: string) => `${gcp.factory.restBase('compute')}/projects/${project}`;

/** The last path segment of a Compute URL or name. */
export const lastSegment = (ref: string): string => ref.slice(ref.lastIndexOf('/') + 1);

export async function getNetwork(gcp: Gcp, project: string, name: string): Promise<Network | undefined> {
  const url = `${base(gcp, project)}/global/networks/${name}`;
  return orMissing(gcp.caller.run({ api: API, method: 'networks.get', resource: url }, () => gcp.factory.request<Network>({ url })));
}

export async function insertNetwork(gcp: Gcp, project: string, network: Omit<Network, 'selfLink'>, wait: ComputeWait): Promise<void> {
  const url = `${base(gcp, project)}/global/networks`;
  const resource = `projects/${project}/global/networks/${network.name}`;
  // One request id per insert: a retried request answers the first operation instead of a second insert.
  const requestId = randomUUID();
  const op = await gcp.caller.run({ api: API, method: 'networks.insert', resource, mutating: true }, () =>
    gcp.factory.request<ComputeOperation>({ url, method: 'POST', body: network, params: { requestId } }),
  );
  await waitForComputeOperation(gcp, project, op, `create network ${network.name}`, wait);
}

export async function deleteNetwork(gcp: Gcp, project: string, name: string, wait: ComputeWait): Promise<boolean> {
  const url = `${base(gcp, project)}/global/networks/${name}`;
  const requestId = randomUUID();
  const op = await orMissing(
    gcp.caller.run({ api: API, method: 'networks.delete', resource: url, mutating: true }, () =>
      gcp.factory.request<ComputeOperation>({ url, method: 'DELETE', params: { requestId } }),
    ),
  );
  if (!op) return false;
  await waitForComputeOperation(gcp, project, op, `delete network ${name}`, wait);
  return true;
}

export async function getSubnetwork(gcp: Gcp, project: string, region: string, name: string): Promise<Subnetwork | undefined> {
  const url = `${base(gcp, project)}/regions/${region}/subnetworks/${name}`;
  return orMissing(gcp.caller.run({ api: API, method: 'subnetworks.get', resource: url }, () => gcp.factory.request<Subnetwork>({ url })));
}

export async function insertSubnetwork(
  gcp: Gcp,
  project: string,
  region: string,
  subnetwork: { name: string; description: string; network: string; ipCidrRange: string; privateIpGoogleAccess?: boolean },
  wait: ComputeWait,
): Promise<void> {
  const url = `${base(gcp, project)}/regions/${region}/subnetworks`;
  const resource = `projects/${project}/regions/${region}/subnetworks/${subnetwork.name}`;
  // One request id per insert, kept across retries (see insertNetwork).
  const requestId = randomUUID();
  const op = await gcp.caller.run({ api: API, method: 'subnetworks.insert', resource, mutating: true }, () =>
    gcp.factory.request<ComputeOperation>({ url, method: 'POST', body: subnetwork, params: { requestId } }),
  );
  await waitForComputeOperation(gcp, project, op, `create subnetwork ${subnetwork.name}`, wait);
}

export async function deleteSubnetwork(gcp: Gcp, project: string, region: string, name: string, wait: ComputeWait): Promise<boolean> {
  const url = `${base(gcp, project)}/regions/${region}/subnetworks/${name}`;
  const requestId = randomUUID();
  const op = await orMissing(
    gcp.caller.run({ api: API, method: 'subnetworks.delete', resource: url, mutating: true }, () =>
      gcp.factory.request<ComputeOperation>({ url, method: 'DELETE', params: { requestId } }),
    ),
  );
  if (!op) return false;
  await waitForComputeOperation(gcp, project, op, `delete subnetwork ${name}`, wait);
  return true;
}

/**
 * Polls a Compute operation (global or regional, as its name's scope says) until DONE. A done
 * operation with `error` failed: its first error's message is Compute's reason.
 */
async function waitForComputeOperation(
  gcp: Gcp,
  project: string,
  started: ComputeOperation,
  label: string,
  wait: ComputeWait,
): Promise<void> {
  const region = /\/regions\/([^/]+)\//.exec(started.targetLink ?? '')?.[1];
  const url = `${base(gcp, project)}/${region ? `regions/${region}` : 'global'}/operations/${started.name}`;
  const finished =
    started.status === 'DONE'
      ? started
      : await poll<ComputeOperation>(
          {
            timeoutMs: wait.timeoutMs,
            firstDelayMs: gcp.caller.timing.pollMs,
            maxDelayMs: 5_000,
            onProgress: wait.onProgress,
            timeoutError: (elapsed) =>
              new OperationError(`timed out waiting to ${label}: still running after ${seconds(elapsed)}s (operation ${started.name})`, {
                hint: 'the operation goes on in Google Cloud; run the command again to pick it up, or raise --wait-timeout',
              }),
          },
          async () => {
            const op = await gcp.caller.run({ api: API, method: 'operations.get', resource: started.name }, () =>
              gcp.factory.request<ComputeOperation>({ url }),
            );
            return op.status === 'DONE' ? { done: true, value: op } : { done: false };
          },
        );
  const failure = finished.error?.errors?.[0];
  if (failure) {
    throw new OperationError(`could not ${label}: ${failure.message ?? failure.code ?? 'the operation failed'}`, {
      ...(failure.code === 'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE'
        ? {
            hint: 'something else still uses it; remove that first (Cloud Run releases a subnet some time after its service is deleted), then run the command again',
          }
        : {}),
    });
  }
}
