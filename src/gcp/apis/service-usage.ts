// Service Usage v1: which APIs are enabled, and enabling the missing ones in one batch.
import type { Gcp } from '../call.js';
import { waitForOperation } from '../operations.js';

const API = 'serviceusage.googleapis.com';

/** State of each service (ENABLED / DISABLED), by service name (run.googleapis.com). */
export async function serviceStates(gcp: Gcp, projectId: string, services: string[]): Promise<Record<string, string>> {
  const parent = `projects/${projectId}`;
  const client = await gcp.factory.client('serviceUsage');
  const [response] = await gcp.caller.run({ api: API, method: 'BatchGetServices', resource: parent }, (o) =>
    client.batchGetServices({ parent, names: services.map((s) => `${parent}/services/${s}`) }, o),
  );
  const states: Record<string, string> = {};
  for (const s of response.services ?? []) {
    const id = String(s.name ?? '')
      .split('/')
      .pop()!;
    states[id] = String(s.state ?? 'STATE_UNSPECIFIED');
  }
  return states;
}

export async function enableServices(
  gcp: Gcp,
  projectId: string,
  services: string[],
  timeoutMs: number,
  onProgress?: (ms: number) => void,
): Promise<void> {
  const parent = `projects/${projectId}`;
  const client = await gcp.factory.client('serviceUsage');
  const [operation] = await gcp.caller.run({ api: API, method: 'BatchEnableServices', resource: parent, mutating: true }, (o) =>
    client.batchEnableServices({ parent, serviceIds: services }, o),
  );
  await waitForOperation(gcp, operation, {
    api: API,
    label: `enable ${services.join(', ')}`,
    resource: parent,
    timeoutMs,
    ...(onProgress ? { onProgress } : {}),
  });
}
