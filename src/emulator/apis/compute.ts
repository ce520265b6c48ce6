// Compute Engine v1 networks, subnetworks and operations: REST only (the tool calls Compute through
// google-auth-library requests; there is no gRPC surface). Mutations answer Compute's own
// Operation, polled at `…/operations/NAME` or blocked on with `…/operations/NAME/wait`; their effect
// lands when the operation is done. Errors use Compute's body — `{error: {code, message, errors:
// [{domain, reason, message}]}}` without `status` — and its permission wording.
import { defineApi, restRoute, type CallContext, type RestRoute } from '../core/api.js';
import { ApiError, legacyReasonOf } from '../core/errors.js';
import { isComputeRegion } from '../core/compute-locations.js';
import { jsonText, type JsonObject } from '../core/json.js';
import {
  COMPUTE_API,
  COMPUTE_URL_PREFIX,
  computeTimestamp,
  networkKey,
  newComputeId,
  newFingerprint,
  subnetworkKey,
} from '../core/networks.js';
import { paginate } from '../core/pagination.js';
import type { EmulatorServices } from '../core/services.js';
import {
  alreadyExists,
  invalidField,
  notFound,
  renderNetwork,
  renderSubnetwork,
  validateNetwork,
  validateSubnetwork,
} from './compute-networks.js';
import {
  ComputeError,
  ComputeFailure,
  findOperation,
  finishComputeOperation,
  operationForRequestId,
  renderOperation,
  startComputeOperation,
  waitForOperation,
} from './compute-operations.js';

const NETWORKS = 'google.cloud.compute.v1.Networks';
const SUBNETWORKS = 'google.cloud.compute.v1.Subnetworks';
const GLOBAL_OPERATIONS = 'google.cloud.compute.v1.GlobalOperations';
const REGION_OPERATIONS = 'google.cloud.compute.v1.RegionOperations';
const BASE = '/compute/v1/projects/{project}';

// -------------------------------------------------------------------------------------------
// Errors, permissions, projects

/** Compute's REST error body; errors raised by Google's front end (enablement, authentication, bad JSON) keep `status` and `details`. */
function computeErrorBody(error: ApiError): Record<string, unknown> {
  const info = error.details.find((detail) => detail['@type'].endsWith('google.rpc.ErrorInfo'));
  const metadata = (info?.metadata ?? {}) as Record<string, string>;
  const legacy: Record<string, unknown> = { message: error.message, domain: 'global', reason: legacyReasonOf(error.code) };
  if (error instanceof ComputeError) legacy.reason = error.reason;
  if (info?.reason === 'SERVICE_DISABLED') {
    Object.assign(legacy, { domain: 'usageLimits', reason: 'accessNotConfigured', extendedHelp: metadata.activationUrl });
  }
  const body: Record<string, unknown> = { code: error.httpStatus, message: error.message, errors: [legacy] };
  if (error.details.length > 0) {
    body.status = error.code;
    body.details = error.details;
  }
  return { error: body };
}

/** `--deny`: Compute words it "Required 'PERMISSION' permission for 'RESOURCE'". */
function checkPermission(ctx: CallContext, permission: string, resource: string): void {
  if (ctx.options.deny.has(permission)) {
    throw new ComputeError('PERMISSION_DENIED', `Required '${permission}' permission for '${resource}'`, 'forbidden');
  }
}

function projectIdOf(ctx: CallContext, reference: string): string {
  return ctx.projects.require(reference, COMPUTE_API).projectId;
}

function checkRegion(projectId: string, region: string): void {
  if (!isComputeRegion(region)) throw notFound(`projects/${projectId}/regions/${region}`);
}

// -------------------------------------------------------------------------------------------
// Lists: maxResults / pageToken / a small filter language

interface ListQuery {
  project: string;
  region?: string;
  filter?: string;
  maxResults?: string;
  pageToken?: string;
}

const FILTER_TERM = /^\(?\s*([A-Za-z][A-Za-z0-9.]*)\s*(=|!=|\beq\b|\bne\b)\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s)]+))\s*\)?$/;

/** `name = "x"`, `name != x`, `name eq REGEX`, `name ne REGEX`; several terms joined by AND or in parentheses. */
function filterOf(filter: string | undefined): (item: JsonObject) => boolean {
  if (!filter?.trim()) return () => true;
  const terms = filter
    .split(/\s+AND\s+|\)\s*\(/i)
    .map((term) => term.trim())
    .filter(Boolean)
    .map((term) => {
      const match = FILTER_TERM.exec(term);
      if (!match) throw invalidField('filter', filter, 'Invalid list filter expression.');
      const [, field, operator] = match;
      const value = match[3] ?? match[4] ?? match[5];
      return (item: JsonObject) => {
        const actual = jsonText(item[field]);
        const equal = operator === '=' || operator === '!=' ? actual === value : new RegExp(`^(?:${value})$`).test(actual);
        return operator === '=' || operator === 'eq' ? equal : !equal;
      };
    });
  return (item) => terms.every((term) => term(item));
}

function listAnswer(kind: string, path: string, items: JsonObject[], query: ListQuery): JsonObject {
  const maxResults = query.maxResults === undefined ? undefined : Number(query.maxResults);
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 500)) {
    throw invalidField('maxResults', query.maxResults, 'Must be between 0 and 500.');
  }
  const page = paginate(items.filter(filterOf(query.filter)), maxResults, query.pageToken, { defaultSize: 500, maxSize: 500 });
  const json: JsonObject = { kind, id: path };
  if (page.items.length > 0) json.items = page.items;
  if (page.nextPageToken) json.nextPageToken = page.nextPageToken;
  json.selfLink = `${COMPUTE_URL_PREFIX}${path}`;
  return json;
}

// -------------------------------------------------------------------------------------------
// Networks

interface NetworkRequest {
  project: string;
  network: string;
  requestId?: string;
}

function networkRoutes(): RestRoute[] {
  const resourceOf = (request: { project: string; network?: string }) =>
    `projects/${request.project}/global/networks/${request.network ?? ''}`;
  return [
    restRoute<{ project: string; resource?: JsonObject; requestId?: string }>({
      verb: 'POST',
      path: `${BASE}/global/networks`,
      body: 'resource',
      rpcName: `${NETWORKS}/Insert`,
      resource: (request) => resourceOf({ project: request.project, network: jsonText(request.resource?.name) }),
      handle(request, ctx) {
        const projectId = projectIdOf(ctx, request.project);
        const { name, fields } = validateNetwork(request.resource);
        checkPermission(ctx, 'compute.networks.create', networkKey(projectId, name));
        const repeated = operationForRequestId(ctx, projectId, request.requestId);
        if (repeated) return repeated;
        if (ctx.networks.network(projectId, name)) throw alreadyExists(networkKey(projectId, name));
        const id = newComputeId();
        ctx.networks.saveNetwork({ projectId, name, id, creationTimestamp: computeTimestamp(ctx.now), fields, ready: false });
        return startComputeOperation(ctx, {
          projectId,
          operationType: 'insert',
          targetPath: `global/networks/${name}`,
          targetId: id,
          action: 'insertNetwork',
          payload: { projectId, name },
          ...(request.requestId ? { requestId: request.requestId } : {}),
        });
      },
    }),
    restRoute<NetworkRequest>({
      verb: 'GET',
      path: `${BASE}/global/networks/{network}`,
      rpcName: `${NETWORKS}/Get`,
      resource: resourceOf,
      handle(request, ctx) {
        const projectId = projectIdOf(ctx, request.project);
        checkPermission(ctx, 'compute.networks.get', networkKey(projectId, request.network));
        const network = ctx.networks.network(projectId, request.network);
        if (!network) throw notFound(networkKey(projectId, request.network));
        return renderNetwork(network, ctx.networks);
      },
    }),
    restRoute<ListQuery>({
      verb: 'GET',
      path: `${BASE}/global/networks`,
      rpcName: `${NETWORKS}/List`,
      resource: (request) => `projects/${request.project}/global/networks`,
      handle(request, ctx) {
        const projectId = projectIdOf(ctx, request.project);
        checkPermission(ctx, 'compute.networks.list', `projects/${projectId}`);
        const items = ctx.networks.networks(projectId).map((network) => renderNetwork(network, ctx.networks));
        return listAnswer('compute#networkList', `projects/${projectId}/global/networks`, items, request);
      },
    }),
    restRoute<NetworkRequest>({
      verb: 'DELETE',
      path: `${BASE}/global/networks/{network}`,
      rpcName: `${NETWORKS}/Delete`,
      resource: resourceOf,
      handle(request, ctx) {
        const projectId = projectIdOf(ctx, request.project);
        checkPermission(ctx, 'compute.networks.delete', networkKey(projectId, request.network));
        const repeated = operationForRequestId(ctx, projectId, request.requestId);
        if (repeated) return repeated;
        const network = ctx.networks.network(projectId, request.network);
        if (!network) throw notFound(networkKey(projectId, request.network));
        // Whether something still uses the network is decided when the operation runs, as at Google.
        return startComputeOperation(ctx, {
          projectId,
          operationType: 'delete',
          targetPath: `global/networks/${network.name}`,
          targetId: network.id,
          action: 'deleteNetwork',
          payload: { projectId, name: network.name },
          ...(request.requestId ? { requestId: request.requestId } : {}),
        });
      },
    }),
  ];
}

// -------------------------------------------------------------------------------------------
// Subnetworks

interface SubnetworkRequest {
  project: string;
  region: string;
  subnetwork: string;
  requestId?: string;
}

function subnetworkRoutes(): RestRoute[] {
  const resourceOf = (request: { project: string; region: string; subnetwork?: string }) =>
    `projects/${request.project}/regions/${request.region}/subnetworks/${request.subnetwork ?? ''}`;
  return [
    restRoute<{ project: string; region: string; resource?: JsonObject; requestId?: string }>({
      verb: 'POST',
      path: `${BASE}/regions/{region}/subnetworks`,
      body: 'resource',
      rpcName: `${SUBNETWORKS}/Insert`,
      resource: (request) => resourceOf({ ...request, subnetwork: jsonText(request.resource?.name) }),
      handle(request, ctx) {
        const projectId = projectIdOf(ctx, request.project);
        checkRegion(projectId, request.region);
        const repeated = operationForRequestId(ctx, projectId, request.requestId);
        if (repeated) return repeated;
        const { name, network, ipCidrRange, fields } = validateSubnetwork(request.resource, projectId, request.region, ctx.networks);
        checkPermission(ctx, 'compute.subnetworks.create', subnetworkKey(projectId, request.region, name));
        if (ctx.networks.subnetwork(projectId, request.region, name)) throw alreadyExists(subnetworkKey(projectId, request.region, name));
        const id = newComputeId();
        ctx.networks.saveSubnetwork({
          projectId,
          region: request.region,
          name,
          id,
          creationTimestamp: computeTimestamp(ctx.now),
          network: network.name,
          ipCidrRange,
          fingerprint: newFingerprint(),
          fields,
          ready: false,
        });
        return startComputeOperation(ctx, {
          projectId,
          region: request.region,
          operationType: 'insert',
          targetPath: `regions/${request.region}/subnetworks/${name}`,
          targetId: id,
          action: 'insertSubnetwork',
          payload: { projectId, region: request.region, name },
          ...(request.requestId ? { requestId: request.requestId } : {}),
        });
      },
    }),
    restRoute<SubnetworkRequest>({
      verb: 'GET',
      path: `${BASE}/regions/{region}/subnetworks/{subnetwork}`,
      rpcName: `${SUBNETWORKS}/Get`,
      resource: resourceOf,
      handle(request, ctx) {
        const projectId = projectIdOf(ctx, request.project);
        checkRegion(projectId, request.region);
        checkPermission(ctx, 'compute.subnetworks.get', subnetworkKey(projectId, request.region, request.subnetwork));
        const subnetwork = ctx.networks.subnetwork(projectId, request.region, request.subnetwork);
        if (!subnetwork) throw notFound(subnetworkKey(projectId, request.region, request.subnetwork));
        return renderSubnetwork(subnetwork);
      },
    }),
    restRoute<ListQuery & { region: string }>({
      verb: 'GET',
      path: `${BASE}/regions/{region}/subnetworks`,
      rpcName: `${SUBNETWORKS}/List`,
      resource: (request) => `projects/${request.project}/regions/${request.region}/subnetworks`,
      handle(request, ctx) {
        const projectId = projectIdOf(ctx, request.project);
        checkRegion(projectId, request.region);
        checkPermission(ctx, 'compute.subnetworks.list', `projects/${projectId}`);
        const items = ctx.networks.subnetworks(projectId, { region: request.region }).map(renderSubnetwork);
        return listAnswer('compute#subnetworkList', `projects/${projectId}/regions/${request.region}/subnetworks`, items, request);
      },
    }),
    restRoute<SubnetworkRequest>({
      verb: 'DELETE',
      path: `${BASE}/regions/{region}/subnetworks/{subnetwork}`,
      rpcName: `${SUBNETWORKS}/Delete`,
      resource: resourceOf,
      handle(request, ctx) {
        const projectId = projectIdOf(ctx, request.project);
        checkRegion(projectId, request.region);
        const key = subnetworkKey(projectId, request.region, request.subnetwork);
        checkPermission(ctx, 'compute.subnetworks.delete', key);
        const repeated = operationForRequestId(ctx, projectId, request.requestId);
        if (repeated) return repeated;
        const subnetwork = ctx.networks.subnetwork(projectId, request.region, request.subnetwork);
        if (!subnetwork) throw notFound(key);
        if (subnetwork.auto) {
          throw new ComputeError(
            'INVALID_ARGUMENT',
            "Invalid resource usage: 'Cannot delete auto subnetwork from an auto subnet mode network.'.",
            'invalidResourceUsage',
          );
        }
        return startComputeOperation(ctx, {
          projectId,
          region: request.region,
          operationType: 'delete',
          targetPath: `regions/${request.region}/subnetworks/${subnetwork.name}`,
          targetId: subnetwork.id,
          action: 'deleteSubnetwork',
          payload: { projectId, region: request.region, name: subnetwork.name },
          ...(request.requestId ? { requestId: request.requestId } : {}),
        });
      },
    }),
  ];
}

// -------------------------------------------------------------------------------------------
// Operations

function operationRoutes(): RestRoute[] {
  type GlobalRequest = { project: string; operation: string };
  type RegionRequest = GlobalRequest & { region: string };
  const global = (verb: 'GET' | 'POST', suffix: string, method: string) =>
    restRoute<GlobalRequest>({
      verb,
      path: `${BASE}/global/operations/{operation}${suffix}`,
      rpcName: `${GLOBAL_OPERATIONS}/${method}`,
      mutating: false,
      resource: (request) => `projects/${request.project}/global/operations/${request.operation}`,
      async handle(request, ctx) {
        const projectId = projectIdOf(ctx, request.project);
        checkPermission(ctx, 'compute.globalOperations.get', `projects/${projectId}/global/operations/${request.operation}`);
        const record = findOperation(ctx, projectId, undefined, request.operation);
        return method === 'Wait' ? await waitForOperation(ctx, record) : renderOperation(record, ctx);
      },
    });
  const regional = (verb: 'GET' | 'POST', suffix: string, method: string) =>
    restRoute<RegionRequest>({
      verb,
      path: `${BASE}/regions/{region}/operations/{operation}${suffix}`,
      rpcName: `${REGION_OPERATIONS}/${method}`,
      mutating: false,
      resource: (request) => `projects/${request.project}/regions/${request.region}/operations/${request.operation}`,
      async handle(request, ctx) {
        const projectId = projectIdOf(ctx, request.project);
        checkRegion(projectId, request.region);
        checkPermission(
          ctx,
          'compute.regionOperations.get',
          `projects/${projectId}/regions/${request.region}/operations/${request.operation}`,
        );
        const record = findOperation(ctx, projectId, request.region, request.operation);
        return method === 'Wait' ? await waitForOperation(ctx, record) : renderOperation(record, ctx);
      },
    });
  return [global('GET', '', 'Get'), global('POST', '/wait', 'Wait'), regional('GET', '', 'Get'), regional('POST', '/wait', 'Wait')];
}

// -------------------------------------------------------------------------------------------
// Effects of finished operations

const effects = {
  insertNetwork({ projectId, name }: JsonObject, services: EmulatorServices) {
    const network = services.networks.network(jsonText(projectId), jsonText(name));
    if (!network) return;
    network.ready = true;
    services.networks.saveNetwork(network);
    if (network.fields.autoCreateSubnetworks === true)
      services.networks.addAutoSubnetworks(network.projectId, network.name, network.creationTimestamp);
  },
  deleteNetwork({ projectId, name }: JsonObject, services: EmulatorServices) {
    const [project, network] = [jsonText(projectId), jsonText(name)];
    const users = services.networks.usersOf(project, network);
    if (users.length > 0) {
      throw new ComputeFailure(
        'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE',
        `The network resource '${networkKey(project, network)}' is already being used by '${users[0]}'`,
      );
    }
    for (const subnetwork of services.networks.subnetworks(project, { network })) {
      services.networks.removeSubnetwork(project, subnetwork.region, subnetwork.name);
    }
    services.networks.removeNetwork(project, network);
  },
  insertSubnetwork({ projectId, region, name }: JsonObject, services: EmulatorServices) {
    const subnetwork = services.networks.subnetwork(jsonText(projectId), jsonText(region), jsonText(name));
    if (!subnetwork) return;
    subnetwork.ready = true;
    services.networks.saveSubnetwork(subnetwork);
  },
  deleteSubnetwork({ projectId, region, name }: JsonObject, services: EmulatorServices) {
    services.networks.removeSubnetwork(jsonText(projectId), jsonText(region), jsonText(name));
  },
};

export const computeApi = defineApi({
  service: COMPUTE_API,
  title: 'Compute Engine API',
  shortName: 'compute',
  restErrorBody: computeErrorBody,
  restRoutes: [...networkRoutes(), ...subnetworkRoutes(), ...operationRoutes()],
  operationCompleters: { finishComputeOperation: finishComputeOperation(effects) },
});
