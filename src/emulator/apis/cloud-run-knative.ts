// Cloud Run Admin API v1, the Knative-style `serving.knative.dev/v1` services surface that
// `gcloud run services list|describe|delete` call: GET/DELETE
// `/apis/serving.knative.dev/v1/namespaces/P/services[/S]` on the regional host
// (`/hosts/REGION-run.googleapis.com/…`) and GET `/v1/projects/P/locations/L|-/services` (gcloud's
// list without --region, on the global host). A read-only view of the v2 services (cloud-run.ts)
// plus delete; shapes from the v1 REST reference and Cloud Run's YAML (Knative) documentation —
// no v1 answer is recorded.
import { restRoute, type CallContext, type RestRoute } from '../core/api.js';
import { ApiError } from '../core/errors.js';
import { isJsonObject, jsonText, type JsonObject, type JsonValue } from '../core/json.js';
import type { ProjectRecord } from '../core/projects.js';
import type { EmulatorServices } from '../core/services.js';

const API = 'run.googleapis.com';
const RPC = 'google.cloud.run.v1.Services';
const HOST_SUFFIX = '-run.googleapis.com';
const REGION = /^[a-z]+(-[a-z]+)+[0-9]+$/;
const NAMESPACE_SERVICES = '/hosts/{host}/apis/serving.knative.dev/v1/namespaces/{namespace}/services';

/** What cloud-run.ts lends this view: v2 services as proto3 JSON, and its delete. */
export interface KnativeServiceSource {
  /** The v2 services of a project in a region (`-`: every region), by region then name. */
  list(services: EmulatorServices, projectId: string, region: string): JsonObject[];
  get(services: EmulatorServices, projectId: string, region: string, serviceId: string): JsonObject | undefined;
  /** Starts the v2 delete (its operation); the service as it is being deleted. */
  remove(ctx: CallContext, projectId: string, region: string, serviceId: string): JsonObject;
}

// -------------------------------------------------------------------------------------------
// v2 Service → serving.knative.dev/v1 Service

const INGRESS: Record<string, string> = {
  INGRESS_TRAFFIC_ALL: 'all',
  INGRESS_TRAFFIC_INTERNAL_ONLY: 'internal',
  INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER: 'internal-and-cloud-load-balancing',
};
const CONDITION_STATUS: Record<string, string> = { CONDITION_SUCCEEDED: 'True', CONDITION_FAILED: 'False' };

function objectOf(value: JsonValue | undefined): JsonObject {
  return isJsonObject(value) ? value : {};
}

function listOf(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

function lastSegment(name: JsonValue | undefined): string {
  return jsonText(name).split('/').pop() ?? '';
}

function seconds(duration: JsonValue | undefined): number | undefined {
  const match = /^(\d+)(?:\.\d+)?s$/.exec(jsonText(duration));
  return match ? Number(match[1]) : undefined;
}

/** `resourceVersion`: the update time in microseconds, 8 bytes big-endian, base64 without padding (as Cloud Run's are). */
function resourceVersion(updateTime: JsonValue | undefined): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(Date.parse(jsonText(updateTime)) || 0) * 1000n);
  return bytes.toString('base64').replace(/=+$/, '');
}

function probe(v2: JsonValue | undefined): JsonObject | undefined {
  if (!isJsonObject(v2)) return undefined;
  const out: JsonObject = {};
  for (const field of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'failureThreshold'] as const) {
    if (v2[field] !== undefined) out[field] = v2[field];
  }
  if (isJsonObject(v2.tcpSocket)) out.tcpSocket = { port: v2.tcpSocket.port ?? 0 };
  if (isJsonObject(v2.httpGet)) out.httpGet = { ...v2.httpGet };
  if (isJsonObject(v2.grpc)) out.grpc = { ...v2.grpc };
  return out;
}

function envVar(v2: JsonObject): JsonObject {
  const ref = objectOf(objectOf(v2.valueSource).secretKeyRef);
  if (ref.secret === undefined) return { name: v2.name ?? '', ...(v2.value !== undefined ? { value: v2.value } : {}) };
  return { name: v2.name ?? '', valueFrom: { secretKeyRef: { name: lastSegment(ref.secret), key: ref.version ?? 'latest' } } };
}

function container(v2: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const field of ['name', 'image', 'command', 'args', 'workingDir'] as const) if (v2[field] !== undefined) out[field] = v2[field];
  if (v2.env !== undefined) out.env = listOf(v2.env).map(envVar);
  out.resources = { limits: objectOf(objectOf(v2.resources).limits) };
  if (v2.ports !== undefined) out.ports = listOf(v2.ports).map((port) => ({ ...port }));
  if (v2.volumeMounts !== undefined) out.volumeMounts = listOf(v2.volumeMounts).map((mount) => ({ ...mount }));
  const startup = probe(v2.startupProbe);
  if (startup) out.startupProbe = startup;
  const liveness = probe(v2.livenessProbe);
  if (liveness) out.livenessProbe = liveness;
  return out;
}

function volume(v2: JsonObject): JsonObject {
  const out: JsonObject = { name: v2.name ?? '' };
  if (isJsonObject(v2.secret)) {
    const items = listOf(v2.secret.items).map((item) => ({
      key: item.version ?? 'latest',
      path: item.path ?? '',
      ...(item.mode ? { mode: item.mode } : {}),
    }));
    out.secret = {
      secretName: lastSegment(v2.secret.secret),
      ...(items.length ? { items } : {}),
      ...(v2.secret.defaultMode ? { defaultMode: v2.secret.defaultMode } : {}),
    };
  }
  if (isJsonObject(v2.emptyDir))
    out.emptyDir = { medium: 'Memory', ...(v2.emptyDir.sizeLimit ? { sizeLimit: v2.emptyDir.sizeLimit } : {}) };
  return out;
}

/** The revision template's annotations, as Cloud Run's YAML documents them. */
function templateAnnotations(template: JsonObject): Record<string, string> {
  const annotations: Record<string, string> = { ...(objectOf(template.annotations) as Record<string, string>) };
  const scaling = objectOf(template.scaling);
  if (scaling.minInstanceCount) annotations['autoscaling.knative.dev/minScale'] = jsonText(scaling.minInstanceCount);
  if (scaling.maxInstanceCount) annotations['autoscaling.knative.dev/maxScale'] = jsonText(scaling.maxInstanceCount);
  const environment = jsonText(template.executionEnvironment);
  if (environment === 'EXECUTION_ENVIRONMENT_GEN1') annotations['run.googleapis.com/execution-environment'] = 'gen1';
  if (environment === 'EXECUTION_ENVIRONMENT_GEN2') annotations['run.googleapis.com/execution-environment'] = 'gen2';
  const vpc = objectOf(template.vpcAccess);
  if (vpc.connector) annotations['run.googleapis.com/vpc-access-connector'] = jsonText(vpc.connector);
  if (vpc.egress === 'ALL_TRAFFIC') annotations['run.googleapis.com/vpc-access-egress'] = 'all-traffic';
  if (vpc.egress === 'PRIVATE_RANGES_ONLY') annotations['run.googleapis.com/vpc-access-egress'] = 'private-ranges-only';
  const resources = objectOf(
    listOf(template.containers).find((item) => item.ports !== undefined)?.resources ?? listOf(template.containers)[0]?.resources,
  );
  annotations['run.googleapis.com/cpu-throttling'] = resources.cpuIdle === true ? 'true' : 'false';
  if (resources.startupCpuBoost === true) annotations['run.googleapis.com/startup-cpu-boost'] = 'true';
  if (template.sessionAffinity === true) annotations['run.googleapis.com/sessionAffinity'] = 'true';
  return annotations;
}

function revisionTemplate(template: JsonObject): JsonObject {
  const spec: JsonObject = {
    containerConcurrency: template.maxInstanceRequestConcurrency ?? 0,
    timeoutSeconds: seconds(template.timeout) ?? 300,
    serviceAccountName: template.serviceAccount ?? '',
    containers: listOf(template.containers).map(container),
  };
  if (template.volumes !== undefined) spec.volumes = listOf(template.volumes).map(volume);
  const metadata: JsonObject = { annotations: templateAnnotations(template) };
  if (template.revision) metadata.name = template.revision;
  if (template.labels !== undefined) metadata.labels = template.labels;
  return { metadata, spec };
}

function specTraffic(target: JsonObject): JsonObject {
  const out: JsonObject = { percent: target.percent ?? 0 };
  if (target.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION') out.revisionName = target.revision ?? '';
  else out.latestRevision = true;
  if (target.tag) out.tag = target.tag;
  return out;
}

function statusTraffic(status: JsonObject, latestReady: string): JsonObject {
  const latest = status.type !== 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';
  const out: JsonObject = { revisionName: latest ? latestReady : jsonText(status.revision), percent: status.percent ?? 0 };
  if (latest) out.latestRevision = true;
  if (status.tag) out.tag = status.tag;
  if (status.uri) out.url = status.uri;
  return out;
}

function condition(type: string, v2: JsonObject | undefined): JsonObject {
  return {
    type,
    status: CONDITION_STATUS[jsonText(v2?.state)] ?? 'Unknown',
    ...(v2?.message ? { message: v2.message } : {}),
    ...(v2?.lastTransitionTime ? { lastTransitionTime: v2.lastTransitionTime } : {}),
  };
}

function status(v2: JsonObject): JsonObject {
  const latestReady = lastSegment(v2.latestReadyRevision);
  const byType = (type: string) => listOf(v2.conditions).find((item) => item.type === type);
  const out: JsonObject = {
    observedGeneration: Number(v2.observedGeneration ?? 0),
    conditions: [
      condition('Ready', objectOf(v2.terminalCondition)),
      condition('ConfigurationsReady', byType('ConfigurationsReady')),
      condition('RoutesReady', byType('RoutesReady')),
    ],
  };
  if (latestReady) out.latestReadyRevisionName = latestReady;
  if (v2.latestCreatedRevision) out.latestCreatedRevisionName = lastSegment(v2.latestCreatedRevision);
  if (v2.trafficStatuses !== undefined) out.traffic = listOf(v2.trafficStatuses).map((item) => statusTraffic(item, latestReady));
  if (v2.uri) {
    out.url = v2.uri;
    out.address = { url: v2.uri };
  }
  return out;
}

function serviceAnnotations(v2: JsonObject): Record<string, string> {
  const annotations: Record<string, string> = {
    ...(objectOf(v2.annotations) as Record<string, string>),
    'serving.knative.dev/creator': jsonText(v2.creator),
    'serving.knative.dev/lastModifier': jsonText(v2.lastModifier),
  };
  const ingress = INGRESS[jsonText(v2.ingress)];
  if (ingress) annotations['run.googleapis.com/ingress'] = annotations['run.googleapis.com/ingress-status'] = ingress;
  if (v2.launchStage && v2.launchStage !== 'GA') annotations['run.googleapis.com/launch-stage'] = jsonText(v2.launchStage);
  if (v2.invokerIamDisabled === true) annotations['run.googleapis.com/invoker-iam-disabled'] = 'true';
  if (Array.isArray(v2.urls)) annotations['run.googleapis.com/urls'] = JSON.stringify(v2.urls);
  return annotations;
}

/** A v2 Service (proto3 JSON) as the v1 API shows it: `serving.knative.dev/v1` Service. */
export function knativeService(v2: JsonObject, project: ProjectRecord, region: string): JsonObject {
  const name = lastSegment(v2.name);
  const traffic = listOf(v2.traffic);
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: project.projectNumber,
      selfLink: `/apis/serving.knative.dev/v1/namespaces/${project.projectNumber}/services/${name}`,
      uid: v2.uid ?? '',
      resourceVersion: resourceVersion(v2.updateTime),
      generation: Number(v2.generation ?? 0),
      creationTimestamp: v2.createTime ?? '',
      ...(v2.deleteTime ? { deletionTimestamp: v2.deleteTime } : {}),
      labels: { ...(objectOf(v2.labels) as Record<string, string>), 'cloud.googleapis.com/location': region },
      annotations: serviceAnnotations(v2),
    },
    // Knative's default route when v2 has none: everything to the latest revision.
    spec: {
      template: revisionTemplate(objectOf(v2.template)),
      traffic: traffic.length ? traffic.map(specTraffic) : [{ percent: 100, latestRevision: true }],
    },
    status: status(v2),
  };
}

// -------------------------------------------------------------------------------------------
// Routes

interface NamespaceRequest {
  host: string;
  namespace: string;
  name?: string;
}

interface ProjectsRequest {
  parent: string;
}

function regionOfHost(host: string): string {
  const region = host.endsWith(HOST_SUFFIX) ? host.slice(0, -HOST_SUFFIX.length) : '';
  // Wording ours: the global host answers namespaces calls for no region.
  if (!REGION.test(region))
    throw new ApiError('NOT_FOUND', `Services are served on regional endpoints REGION${HOST_SUFFIX}, not on ${host}.`);
  return region;
}

function notFound(name: string, region: string, project: string): ApiError {
  return new ApiError('NOT_FOUND', `Resource '${name}' of kind 'SERVICE' in region '${region}' in project '${project}' does not exist.`);
}

function serviceList(items: JsonObject[], selfLink: string): JsonObject {
  return { apiVersion: 'serving.knative.dev/v1', kind: 'ServiceList', metadata: { selfLink }, items };
}

function regionOf(v2: JsonObject): string {
  return /\/locations\/([^/]+)\//.exec(jsonText(v2.name))?.[1] ?? '';
}

/** The v1 routes; `source` is the v2 service store (injected by cloud-run.ts, which owns it). */
export function knativeServiceRoutes(source: KnativeServiceSource): RestRoute[] {
  const project = (services: EmulatorServices, reference: string) => services.projects.require(reference, API);
  const resource = (request: NamespaceRequest) => `namespaces/${request.namespace}/services${request.name ? `/${request.name}` : ''}`;
  const found = (request: NamespaceRequest, services: EmulatorServices): { record: ProjectRecord; region: string; v2: JsonObject } => {
    const record = project(services, request.namespace);
    const region = regionOfHost(request.host);
    const v2 = source.get(services, record.projectId, region, String(request.name));
    if (!v2) throw notFound(String(request.name), region, request.namespace);
    return { record, region, v2 };
  };
  return [
    restRoute<NamespaceRequest>({
      verb: 'GET',
      path: `${NAMESPACE_SERVICES}/{name}`,
      rpcName: `${RPC}/GetService`,
      permission: 'run.services.get',
      resource,
      project: (request) => request.namespace,
      handle(request, ctx) {
        const { record, region, v2 } = found(request, ctx);
        return knativeService(v2, record, region);
      },
    }),
    restRoute<NamespaceRequest>({
      verb: 'DELETE',
      path: `${NAMESPACE_SERVICES}/{name}`,
      rpcName: `${RPC}/DeleteService`,
      permission: 'run.services.delete',
      resource,
      project: (request) => request.namespace,
      handle(request, ctx) {
        const { record, region } = found(request, ctx);
        const deleting = source.remove(ctx, record.projectId, region, String(request.name));
        return {
          metadata: {},
          status: 'Success',
          details: { name: request.name ?? '', group: 'serving.knative.dev', kind: 'services', uid: deleting.uid ?? '' },
        };
      },
    }),
    restRoute<NamespaceRequest>({
      verb: 'GET',
      path: NAMESPACE_SERVICES,
      rpcName: `${RPC}/ListServices`,
      permission: 'run.services.list',
      resource,
      project: (request) => request.namespace,
      handle(request, ctx) {
        const record = project(ctx, request.namespace);
        const region = regionOfHost(request.host);
        const items = source.list(ctx, record.projectId, region).map((v2) => knativeService(v2, record, region));
        return serviceList(items, `/apis/serving.knative.dev/v1/namespaces/${record.projectNumber}/services`);
      },
    }),
    restRoute<ProjectsRequest>({
      verb: 'GET',
      path: '/v1/{parent=projects/*/locations/*}/services',
      rpcName: `${RPC}/ListServices`,
      permission: 'run.services.list',
      resource: (request) => request.parent,
      handle(request, ctx) {
        const [, reference, region] = /^projects\/([^/]+)\/locations\/([^/]+)$/.exec(request.parent) ?? [];
        if (!reference || (region !== '-' && !REGION.test(String(region))))
          throw new ApiError('INVALID_ARGUMENT', `Invalid parent "${request.parent}".`);
        const record = project(ctx, reference);
        const items = source.list(ctx, record.projectId, String(region)).map((v2) => knativeService(v2, record, regionOf(v2)));
        return serviceList(items, `/apis/serving.knative.dev/v1/namespaces/${record.projectNumber}/services`);
      },
    }),
  ];
}
