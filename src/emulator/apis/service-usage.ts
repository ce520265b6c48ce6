// Service Usage v1 (google.api.serviceusage.v1.ServiceUsage): which APIs a project has enabled.
// Shapes follow test/emulator/recordings/serviceusage-*.http.log: names use the project number,
// `parent` appears once a project has ever enabled the service, and enable/disable are
// long-running operations whose effect lands when the operation is done.
import { randomUUID } from 'node:crypto';
import { defineApi, method, type CallContext } from '../core/api.js';
import { ApiError, errorInfo } from '../core/errors.js';
import { typeUrlOf } from '../core/json-codec.js';
import type { JsonObject } from '../core/json.js';
import { paginate } from '../core/pagination.js';
import type { ProjectRecord } from '../core/projects.js';
import type { EmulatorServices } from '../core/services.js';
import { isKnownService, SERVICE_CATALOG } from './service-catalog.js';

const API = 'serviceusage.googleapis.com';
const SERVICE = 'google.api.serviceusage.v1.ServiceUsage';
const MAX_BATCH_ENABLE = 20;
const MAX_BATCH_GET = 30;

const SERVICE_NAME = /^projects\/([^/]+)\/services\/([^/]+)$/;
const PARENT_NAME = /^projects\/([^/]+)$/;

function invalidName(name: string): ApiError {
  return new ApiError(
    'INVALID_ARGUMENT',
    `Invalid resource name: "${name}". Only project-level services (projects/*/services/*) are emulated.`,
  );
}

/** Google's answer for a service name that does not exist (indistinguishable from one the caller may not see). */
function unknownServices(names: string[]): ApiError {
  return new ApiError('PERMISSION_DENIED', `Not found or permission denied for service(s): ${names.join(', ')}.`, [
    errorInfo('SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED', 'serviceusage.googleapis.com', { services: names.join(',') }),
  ]);
}

function requireKnown(services: string[]): void {
  const unknown = services.filter((service) => !isKnownService(service));
  if (unknown.length > 0) throw unknownServices(unknown);
}

function parseServiceName(name: string, services: EmulatorServices): { project: ProjectRecord; service: string } {
  const match = SERVICE_NAME.exec(name);
  if (!match) throw invalidName(name);
  return { project: services.projects.require(match[1], API), service: match[2] };
}

function parseParent(parent: string, services: EmulatorServices): ProjectRecord {
  const match = PARENT_NAME.exec(parent);
  if (!match) throw invalidName(parent);
  return services.projects.require(match[1], API);
}

/** google.api.serviceusage.v1.Service as Google renders it. */
function serviceJson(project: ProjectRecord, service: string, services: EmulatorServices, withConfig = false): JsonObject {
  const json: JsonObject = { name: `projects/${project.projectNumber}/services/${service}` };
  // A project has a record of a service (and Google shows its parent) once it has been enabled.
  if (project.services[service]) json.parent = `projects/${project.projectNumber}`;
  if (withConfig) json.config = { name: service, title: SERVICE_CATALOG[service] ?? service };
  json.state = services.projects.serviceState(project, service);
  return json;
}

function operationName(project: ProjectRecord): string {
  return `operations/acf.p2-${project.projectNumber}-${randomUUID()}`;
}

interface ServiceChange {
  projectId: string;
  services: string[];
}

function startChange(ctx: CallContext, project: ProjectRecord, action: string, services: string[], metadata?: JsonObject): JsonObject {
  const payload: ServiceChange = { projectId: project.projectId, services };
  const record = ctx.operations.start({
    name: operationName(project),
    api: API,
    ...(metadata ? { metadata } : {}),
    completion: { action, payload: payload as unknown as JsonObject },
  });
  return ctx.operations.toJson(record);
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * `checkIfServiceHasUsage: CHECK` (what `gcloud services disable` sends without `--force`): the
 * proto says a service with usage in the last 30 days is refused with FAILED_PRECONDITION, and
 * gcloud's `--force` help adds one enabled in the last 3 days. Usage = any call the emulator
 * served for that API in the project. Message wording ours (not recorded).
 */
function checkNoRecentUsage(ctx: CallContext, project: ProjectRecord, service: string): void {
  const { enableTime, lastUseTime } = ctx.projects.activity(project, service);
  const enabledRecently = enableTime !== undefined && ctx.now - enableTime < 3 * DAY_MS;
  const usedRecently = lastUseTime !== undefined && ctx.now - lastUseTime < 30 * DAY_MS;
  if (!enabledRecently && !usedRecently) return;
  throw new ApiError(
    'FAILED_PRECONDITION',
    `Service ${service} has usage in the last 30 days or was enabled in the past 3 days. To disable it anyway, set check_if_service_has_usage to SKIP (gcloud: --force).`,
  );
}

const EMPTY_METADATA: JsonObject = { '@type': typeUrlOf('google.protobuf.Empty'), value: {} };

function applyChange(
  payload: ServiceChange,
  services: EmulatorServices,
  state: 'ENABLED' | 'DISABLED',
): { project: ProjectRecord; rendered: JsonObject[] } {
  const project = services.projects.require(payload.projectId, API);
  for (const service of payload.services) services.projects.setServiceState(project, service, state);
  return { project, rendered: payload.services.map((service) => serviceJson(project, service, services)) };
}

export const serviceUsageApi = defineApi({
  service: API,
  title: 'Service Usage API',
  protoPackage: '@google-cloud/service-usage',
  grpcServices: [SERVICE],
  // Terraform's google provider polls Service Usage operations on v1beta1.
  operationPaths: ['/v1/{name=operations/*}', '/v1beta1/{name=operations/*}'],

  methods: {
    [`${SERVICE}/GetService`]: method<{ name: string }>({
      permission: 'serviceusage.services.get',
      resource: (request) => request.name,
      handle(request, ctx) {
        const { project, service } = parseServiceName(request.name, ctx);
        requireKnown([service]);
        return serviceJson(project, service, ctx);
      },
    }),

    [`${SERVICE}/BatchGetServices`]: method<{ parent: string; names?: string[] }>({
      permission: 'serviceusage.services.get',
      resource: (request) => request.parent,
      handle(request, ctx) {
        const project = parseParent(request.parent, ctx);
        const names = request.names ?? [];
        if (names.length > MAX_BATCH_GET)
          throw new ApiError('INVALID_ARGUMENT', `A maximum of ${MAX_BATCH_GET} services can be requested in one batch.`);
        const wanted = names.map((name) => {
          const parsed = parseServiceName(name, ctx);
          if (parsed.project.projectId !== project.projectId)
            throw new ApiError('INVALID_ARGUMENT', `Service ${name} is not in parent ${request.parent}.`);
          return parsed.service;
        });
        requireKnown(wanted);
        return { services: wanted.map((service) => serviceJson(project, service, ctx, true)) };
      },
    }),

    [`${SERVICE}/ListServices`]: method<{ parent: string; pageSize?: number; pageToken?: string; filter?: string }>({
      permission: 'serviceusage.services.list',
      resource: (request) => request.parent,
      handle(request, ctx) {
        const project = parseParent(request.parent, ctx);
        const filter = (request.filter ?? '').trim();
        const stateFilter = /^state:(ENABLED|DISABLED)$/.exec(filter)?.[1];
        if (filter !== '' && !stateFilter)
          throw new ApiError('INVALID_ARGUMENT', `Invalid filter: "${filter}". Supported: state:ENABLED, state:DISABLED.`);
        const names = [...new Set([...Object.keys(SERVICE_CATALOG), ...Object.keys(project.services)])].sort();
        const listed = names.filter((service) => !stateFilter || ctx.projects.serviceState(project, service) === stateFilter);
        const page = paginate(listed, request.pageSize, request.pageToken, { defaultSize: 50, maxSize: 200 });
        return {
          services: page.items.map((service) => serviceJson(project, service, ctx, true)),
          ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
        };
      },
    }),

    [`${SERVICE}/EnableService`]: method<{ name: string }>({
      permission: 'serviceusage.services.enable',
      resource: (request) => request.name,
      handle(request, ctx) {
        const { project, service } = parseServiceName(request.name, ctx);
        requireKnown([service]);
        return startChange(ctx, project, 'enableService', [service]);
      },
    }),

    [`${SERVICE}/BatchEnableServices`]: method<{ parent: string; serviceIds?: string[] }>({
      permission: 'serviceusage.services.enable',
      resource: (request) => request.parent,
      handle(request, ctx) {
        const project = parseParent(request.parent, ctx);
        const ids = [...new Set(request.serviceIds ?? [])];
        if (ids.length === 0) throw new ApiError('INVALID_ARGUMENT', 'Request contains an invalid argument.');
        if (ids.length > MAX_BATCH_ENABLE)
          throw new ApiError('INVALID_ARGUMENT', `A maximum of ${MAX_BATCH_ENABLE} services can be enabled in one batch.`);
        requireKnown(ids);
        return startChange(ctx, project, 'batchEnableServices', ids);
      },
    }),

    [`${SERVICE}/DisableService`]: method<{ name: string; checkIfServiceHasUsage?: string | number }>({
      permission: 'serviceusage.services.disable',
      resource: (request) => request.name,
      handle(request, ctx) {
        const { project, service } = parseServiceName(request.name, ctx);
        requireKnown([service]);
        if (request.checkIfServiceHasUsage === 'CHECK' || request.checkIfServiceHasUsage === 2) checkNoRecentUsage(ctx, project, service);
        // Google's disable operation carries its (empty) metadata from the start; enable's does not.
        return startChange(ctx, project, 'disableService', [service], EMPTY_METADATA);
      },
    }),
  },

  operationCompleters: {
    enableService(payload, services) {
      const { rendered } = applyChange(payload as unknown as ServiceChange, services, 'ENABLED');
      return {
        metadata: EMPTY_METADATA,
        response: { '@type': typeUrlOf('google.api.serviceusage.v1.EnableServiceResponse'), service: rendered[0] },
      };
    },
    batchEnableServices(payload, services) {
      const { rendered } = applyChange(payload as unknown as ServiceChange, services, 'ENABLED');
      return {
        metadata: { '@type': typeUrlOf('google.api.serviceusage.v1.OperationMetadata') },
        response: { '@type': typeUrlOf('google.api.serviceusage.v1.BatchEnableServicesResponse'), services: rendered },
      };
    },
    disableService(payload, services) {
      const { rendered } = applyChange(payload as unknown as ServiceChange, services, 'DISABLED');
      return {
        metadata: EMPTY_METADATA,
        response: { '@type': typeUrlOf('google.api.serviceusage.v1.DisableServiceResponse'), service: rendered[0] },
      };
    },
  },
});
