// Cloud Run Admin API v2: the service and its revisions.
import { orMissing, type Gcp } from '../call.js';
import { waitForOperation } from '../operations.js';
import { fromObjectForm, serviceToObjectForm } from './proto-json.js';
import { shortName } from '../resource-names.js';
import type { RunRevision, RunService } from './run-types.js';

export type { RunRevision, RunService } from './run-types.js';
export { shortName };

const API = 'run.googleapis.com';

export async function getService(gcp: Gcp, name: string): Promise<RunService | undefined> {
  const client = await gcp.factory.client('services');
  const found = await orMissing(gcp.caller.run({ api: API, method: 'GetService', resource: name }, (o) => client.getService({ name }, o)));
  return found ? (fromObjectForm(found[0]) as RunService) : undefined;
}

export interface ServiceWriteOptions {
  timeoutMs: number;
  onProgress?: ((elapsedMs: number) => void) | undefined;
}

export async function createService(
  gcp: Gcp,
  parent: string,
  serviceId: string,
  service: RunService,
  options: ServiceWriteOptions,
): Promise<void> {
  const client = await gcp.factory.client('services');
  const { name: _name, ...body } = serviceToObjectForm(service);
  const resource = `${parent}/services/${serviceId}`;
  const [operation] = await gcp.caller.run({ api: API, method: 'CreateService', resource, mutating: true }, (o) =>
    client.createService({ parent, serviceId, service: body }, o),
  );
  await waitForOperation(gcp, operation, { api: API, label: `create service ${serviceId}`, resource, ...options });
}

export async function updateService(gcp: Gcp, service: RunService, options: ServiceWriteOptions): Promise<void> {
  const client = await gcp.factory.client('services');
  const resource = String(service.name);
  const [operation] = await gcp.caller.run({ api: API, method: 'UpdateService', resource, mutating: true }, (o) =>
    client.updateService({ service: serviceToObjectForm(service) }, o),
  );
  await waitForOperation(gcp, operation, { api: API, label: `update service ${shortName(resource)}`, resource, ...options });
}

/**
 * Changes only where the service sends traffic (update_mask `traffic`): the template, and so the
 * revisions, stay as they are. `etag` makes it conditional on nobody having changed the service since.
 */
export async function updateServiceTraffic(
  gcp: Gcp,
  name: string,
  traffic: RunService['traffic'],
  etag: string | undefined,
  options: ServiceWriteOptions,
): Promise<void> {
  const client = await gcp.factory.client('services');
  const [operation] = await gcp.caller.run({ api: API, method: 'UpdateService', resource: name, mutating: true }, (o) =>
    client.updateService(
      { service: serviceToObjectForm({ name, traffic, ...(etag ? { etag } : {}) }), updateMask: { paths: ['traffic'] } },
      o,
    ),
  );
  await waitForOperation(gcp, operation, { api: API, label: `update traffic of service ${shortName(name)}`, resource: name, ...options });
}

export async function deleteService(gcp: Gcp, name: string, timeoutMs: number): Promise<boolean> {
  const client = await gcp.factory.client('services');
  const started = await orMissing(
    gcp.caller.run({ api: API, method: 'DeleteService', resource: name, mutating: true }, (o) => client.deleteService({ name }, o)),
  );
  if (!started) return false;
  await orMissing(waitForOperation(gcp, started[0], { api: API, label: `delete service ${shortName(name)}`, resource: name, timeoutMs }));
  return true;
}

export async function getRevision(gcp: Gcp, name: string): Promise<RunRevision | undefined> {
  const client = await gcp.factory.client('revisions');
  const found = await orMissing(
    gcp.caller.run({ api: API, method: 'GetRevision', resource: name }, (o) => client.getRevision({ name }, o)),
  );
  return found ? (fromObjectForm(found[0]) as RunRevision) : undefined;
}

/** Every revision of a service (Cloud Run keeps them until deleted), newest first as Google lists them. */
export async function listRevisions(gcp: Gcp, serviceName: string): Promise<RunRevision[]> {
  const client = await gcp.factory.client('revisions');
  const [revisions] = await gcp.caller.run({ api: API, method: 'ListRevisions', resource: serviceName }, (o) =>
    client.listRevisions({ parent: serviceName }, { ...o, autoPaginate: true }),
  );
  return revisions.map((r) => fromObjectForm(r) as RunRevision);
}
