// Cloud Run Admin API v2: the service and its revisions.
import { NO_GAX_RETRY } from '../retry.js';
import { orMissing, type Gcp } from '../call.js';
import { waitForOperation } from '../operations.js';
import { fromObjectForm, serviceToObjectForm } from './proto-json.js';

const API = 'run.googleapis.com';

export type ServiceJson = Record<string, any>;

export async function getService(gcp: Gcp, name: string): Promise<ServiceJson | undefined> {
  const client = await gcp.factory.services();
  const found = await orMissing(
    gcp.caller.run({ api: API, method: 'GetService', resource: name }, () => client.getService({ name }, NO_GAX_RETRY)),
  );
  return found ? (fromObjectForm(found[0]) as ServiceJson) : undefined;
}

export interface ServiceWriteOptions {
  timeoutMs: number;
  onProgress?: (elapsedMs: number) => void;
}

export async function createService(
  gcp: Gcp,
  parent: string,
  serviceId: string,
  service: ServiceJson,
  options: ServiceWriteOptions,
): Promise<void> {
  const client = await gcp.factory.services();
  const { name: _name, ...body } = serviceToObjectForm(service);
  const resource = `${parent}/services/${serviceId}`;
  const [operation] = await gcp.caller.run({ api: API, method: 'CreateService', resource, mutating: true }, () =>
    client.createService({ parent, serviceId, service: body }, NO_GAX_RETRY),
  );
  await waitForOperation(gcp, operation, {
    api: API,
    label: `create service ${serviceId}`,
    resource,
    timeoutMs: options.timeoutMs,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

export async function updateService(gcp: Gcp, service: ServiceJson, options: ServiceWriteOptions): Promise<void> {
  const client = await gcp.factory.services();
  const resource = String(service.name);
  const [operation] = await gcp.caller.run({ api: API, method: 'UpdateService', resource, mutating: true }, () =>
    client.updateService({ service: serviceToObjectForm(service) }, NO_GAX_RETRY),
  );
  await waitForOperation(gcp, operation, {
    api: API,
    label: `update service ${resource.split('/').pop()}`,
    resource,
    timeoutMs: options.timeoutMs,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

export async function deleteService(gcp: Gcp, name: string, timeoutMs: number): Promise<boolean> {
  const client = await gcp.factory.services();
  const started = await orMissing(
    gcp.caller.run({ api: API, method: 'DeleteService', resource: name, mutating: true }, () =>
      client.deleteService({ name }, NO_GAX_RETRY),
    ),
  );
  if (!started) return false;
  await orMissing(
    waitForOperation(gcp, started[0], { api: API, label: `delete service ${name.split('/').pop()}`, resource: name, timeoutMs }),
  );
  return true;
}

export async function getRevision(gcp: Gcp, name: string): Promise<ServiceJson | undefined> {
  const client = await gcp.factory.revisions();
  const found = await orMissing(
    gcp.caller.run({ api: API, method: 'GetRevision', resource: name }, () => client.getRevision({ name }, NO_GAX_RETRY)),
  );
  return found ? (fromObjectForm(found[0]) as ServiceJson) : undefined;
}

/** Every revision of a service (Cloud Run keeps them until deleted), newest first as Google lists them. */
export async function listRevisions(gcp: Gcp, serviceName: string): Promise<ServiceJson[]> {
  const client = await gcp.factory.revisions();
  const [revisions] = await gcp.caller.run({ api: API, method: 'ListRevisions', resource: serviceName }, () =>
    client.listRevisions({ parent: serviceName }, { ...NO_GAX_RETRY, autoPaginate: true }),
  );
  return revisions.map((r) => fromObjectForm(r) as ServiceJson);
}
