// Cloud Run custom domain mappings: the v1 (Knative-style) `domains.cloudrun.com/v1` API, REST
// only. The tool and gcloud call the regional endpoint `REGION-run.googleapis.com`; on the
// emulator's single port a regional host is reached through the path prefix
// `/hosts/REGION-run.googleapis.com/...`. The `v1/projects/P/locations/L/domainmappings` form is
// served too.
//
// Domain ownership: Google lets only a verified owner of the domain (Search Console "Owner") map
// it; anyone else gets 403 "Caller is not authorized to administer the domain …". The emulator
// treats `example.com`, `example.org` and every `*.test` name (and their subdomains) as verified,
// and keeps explicit verdicts in the state (`setDomainVerified`, collection `run.verifiedDomains`),
// which tests and `--state` files control.
//
// Certificates: a new mapping answers Ready/CertificateProvisioned "Unknown" (waiting for DNS,
// as at Google); DNS cannot be emulated, so the certificate counts as provisioned once
// `--operation-delay` has passed since creation (at once with the default 0, on the next read).
import { randomUUID } from 'node:crypto';
import { restRoute, type CallContext, type RestRoute } from '../core/api.js';
import { ApiError, badRequest } from '../core/errors.js';
import { isJsonObject, jsonText, type JsonObject } from '../core/json.js';
import type { ProjectRecord } from '../core/projects.js';
import type { EmulatorServices } from '../core/services.js';

const API = 'run.googleapis.com';
const RPC = 'google.cloud.run.v1.DomainMappings';
export const DOMAIN_MAPPINGS_COLLECTION = 'run.domainMappings';
export const VERIFIED_DOMAINS_COLLECTION = 'run.verifiedDomains';
const API_VERSION = 'domains.cloudrun.com/v1';
const HOST_SUFFIX = '-run.googleapis.com';

/** Domains (with their subdomains) the emulated caller owns unless the state says otherwise. */
export const DEFAULT_VERIFIED_DOMAINS = ['example.com', 'example.org'];
/** Top-level domains whose every name counts as verified (RFC 2606 reserves `.test` for testing). */
const DEFAULT_VERIFIED_TLDS = ['test'];

/** Google's front IPs for apex domains mapped to Cloud Run. */
const APEX_A = ['216.239.32.21', '216.239.34.21', '216.239.36.21', '216.239.38.21'];
const APEX_AAAA = ['2001:4860:4802:32::15', '2001:4860:4802:34::15', '2001:4860:4802:36::15', '2001:4860:4802:38::15'];
/** Second-level public suffixes, so `www.example.co.uk` is a subdomain of the apex `example.co.uk`. */
const TWO_LABEL_SUFFIXES = new Set([
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'com.au',
  'net.au',
  'org.au',
  'co.jp',
  'co.nz',
  'com.br',
  'co.in',
  'com.mx',
  'co.za',
]);

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
const REGION = /^[a-z]+(-[a-z]+)+[0-9]+$/;

const CERTIFICATE_PENDING = 'Waiting for certificate provisioning. You must configure your DNS records for certificate issuance to begin.';

export interface DomainMappingRecord {
  projectId: string;
  region: string;
  domain: string;
  routeName: string;
  certificateMode: string;
  forceOverride: boolean;
  uid: string;
  createTime: number;
  resourceVersion: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface VerifiedDomainRecord {
  verified: boolean;
}

/** Marks a domain (and its subdomains) as verified, or not, for the emulated caller. */
export function setDomainVerified(services: EmulatorServices, domain: string, verified: boolean): void {
  services.store.collection<VerifiedDomainRecord>(VERIFIED_DOMAINS_COLLECTION).set(domain.toLowerCase(), { verified });
}

/** Is the caller a verified owner of `domain` or of one of its parent domains? The most specific explicit verdict wins. */
export function isDomainVerified(services: EmulatorServices, domain: string): boolean {
  const verdicts = services.store.collection<VerifiedDomainRecord>(VERIFIED_DOMAINS_COLLECTION);
  const labels = domain.toLowerCase().split('.');
  for (let i = 0; i < labels.length; i++) {
    const candidate = labels.slice(i).join('.');
    const verdict = verdicts.get(candidate);
    if (verdict) return verdict.verified;
    if (DEFAULT_VERIFIED_DOMAINS.includes(candidate)) return true;
  }
  return DEFAULT_VERIFIED_TLDS.includes(labels.at(-1) ?? '');
}

/**
 * The domains the caller may map (`namespaces.authorizeddomains.list`): the defaults and every
 * explicit verdict of "verified", less those revoked. The emulator's caller owns every `.test` name;
 * that blanket is listed as the entry `test` (Search Console cannot verify a top-level domain: the
 * entry is the emulator's, so that a client checking "the domain or a parent is listed" agrees with
 * what create accepts).
 */
export function authorizedDomains(services: EmulatorServices): string[] {
  const verdicts = services.store.collection<VerifiedDomainRecord>(VERIFIED_DOMAINS_COLLECTION);
  const listed = new Set([...DEFAULT_VERIFIED_DOMAINS, ...DEFAULT_VERIFIED_TLDS]);
  for (const [domain, verdict] of verdicts.entries()) {
    if (verdict.verified) listed.add(domain);
    else listed.delete(domain);
  }
  return [...listed].sort();
}

function notAuthorized(domain: string): ApiError {
  return new ApiError(
    'PERMISSION_DENIED',
    `Caller is not authorized to administer the domain '${domain}'. If you own '${domain}', you can obtain authorization by verifying ownership of the domain, or any of its parent domains, via the Webmaster Central portal: https://www.google.com/webmasters/verification/verification?domain=${domain}. We recommend verifying ownership of the largest scope you wish to use with subdomains (eg. verify 'example.com' if you wish to map 'subdomain.example.com').`,
  );
}

/** The apex (registrable) domain of `domain`. */
function apexOf(domain: string): string {
  const labels = domain.split('.');
  const lastTwo = labels.slice(-2).join('.');
  return labels.slice(TWO_LABEL_SUFFIXES.has(lastTwo) ? -3 : -2).join('.');
}

/** The DNS records Google asks the owner to create (`status.resourceRecords`). */
export function resourceRecordsFor(domain: string): JsonObject[] {
  const apex = apexOf(domain);
  if (apex !== domain) {
    return [{ name: domain.slice(0, domain.length - apex.length - 1), rrdata: 'ghs.googlehosted.com.', type: 'CNAME' }];
  }
  return [...APEX_A.map((ip) => ({ rrdata: ip, type: 'A' })), ...APEX_AAAA.map((ip) => ({ rrdata: ip, type: 'AAAA' }))];
}

// -------------------------------------------------------------------------------------------

interface Scope {
  project: ProjectRecord;
  region: string;
}

function mappingsOf(services: EmulatorServices) {
  return services.store.collection<DomainMappingRecord>(DOMAIN_MAPPINGS_COLLECTION);
}

function mappingKey(projectId: string, region: string, domain: string): string {
  return `projects/${projectId}/locations/${region}/domainmappings/${domain}`;
}

function regionOfHost(host: string): string {
  const region = host.endsWith(HOST_SUFFIX) ? host.slice(0, -HOST_SUFFIX.length) : '';
  // Only regional endpoints carry domain mappings (the global endpoint does not serve them reliably).
  if (!REGION.test(region))
    throw new ApiError('NOT_FOUND', `Domain mappings are served on regional endpoints REGION${HOST_SUFFIX}, not on ${host}.`);
  return region;
}

function projectOf(services: EmulatorServices, reference: string): ProjectRecord {
  return services.projects.require(reference, API);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function notFound(domain: string, scope: Scope): ApiError {
  return new ApiError(
    'NOT_FOUND',
    `Resource '${domain}' of kind 'DOMAIN_MAPPING' in region '${scope.region}' in project '${scope.project.projectId}' does not exist.`,
  );
}

function selfLinkOf(record: DomainMappingRecord, projectNumber: string): string {
  return `/apis/domains.cloudrun.com/v1/namespaces/${projectNumber}/domainmappings/${record.domain}`;
}

type RouteLookup = (services: EmulatorServices, projectId: string, region: string, routeName: string) => boolean;

function renderMapping(
  record: DomainMappingRecord,
  services: EmulatorServices,
  routeExists: RouteLookup,
  now: number,
  fresh = false,
): JsonObject {
  const projectNumber = services.projects.find(record.projectId)?.projectNumber ?? record.projectId;
  const at = iso(record.createTime);
  const routable = routeExists(services, record.projectId, record.region, record.routeName);
  const provisioned = !fresh && now - record.createTime >= services.options.operationDelayMs;
  let conditions: JsonObject[];
  if (!routable) {
    const message = `Route '${record.routeName}' does not exist in region '${record.region}'.`;
    conditions = [
      { type: 'Ready', status: 'False', reason: 'RouteNotFound', message, lastTransitionTime: at },
      {
        type: 'CertificateProvisioned',
        status: 'Unknown',
        reason: 'CertificatePending',
        message: CERTIFICATE_PENDING,
        lastTransitionTime: at,
      },
      { type: 'DomainRoutable', status: 'False', reason: 'RouteNotFound', message, lastTransitionTime: at },
    ];
  } else if (record.certificateMode === 'NONE' || provisioned) {
    conditions = [
      { type: 'Ready', status: 'True', lastTransitionTime: at },
      { type: 'CertificateProvisioned', status: 'True', lastTransitionTime: at },
      { type: 'DomainRoutable', status: 'True', lastTransitionTime: at },
    ];
  } else {
    conditions = [
      { type: 'Ready', status: 'Unknown', reason: 'CertificatePending', message: CERTIFICATE_PENDING, lastTransitionTime: at },
      {
        type: 'CertificateProvisioned',
        status: 'Unknown',
        reason: 'CertificatePending',
        message: CERTIFICATE_PENDING,
        lastTransitionTime: at,
      },
      { type: 'DomainRoutable', status: 'True', lastTransitionTime: at },
    ];
  }
  return {
    apiVersion: API_VERSION,
    kind: 'DomainMapping',
    metadata: {
      name: record.domain,
      namespace: projectNumber,
      selfLink: selfLinkOf(record, projectNumber),
      uid: record.uid,
      resourceVersion: record.resourceVersion,
      generation: 1,
      creationTimestamp: at,
      labels: { ...record.labels, 'cloud.googleapis.com/location': record.region },
      annotations: record.annotations,
    },
    spec: {
      routeName: record.routeName,
      certificateMode: record.certificateMode,
      ...(record.forceOverride ? { forceOverride: true } : {}),
    },
    status: {
      conditions,
      observedGeneration: 1,
      resourceRecords: resourceRecordsFor(record.domain),
      mappedRouteName: record.routeName,
    },
  };
}

function stringMap(value: unknown): Record<string, string> {
  if (!isJsonObject(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, jsonText(item)]));
}

function invalid(field: string, description: string): ApiError {
  return new ApiError('INVALID_ARGUMENT', `${field}: ${description}`, [badRequest([{ field, description }])]);
}

function isDryRun(value: unknown): boolean {
  return value === 'All' || value === 'all';
}

function create(scope: Scope, body: JsonObject | undefined, dryRun: boolean, ctx: CallContext, routeExists: RouteLookup): JsonObject {
  if (!body) throw invalid('domainMapping', 'Required field is missing: the DomainMapping to create.');
  if (body.apiVersion !== undefined && body.apiVersion !== API_VERSION) throw invalid('apiVersion', `must be "${API_VERSION}".`);
  if (body.kind !== undefined && body.kind !== 'DomainMapping') throw invalid('kind', 'must be "DomainMapping".');
  const metadata = isJsonObject(body.metadata) ? body.metadata : {};
  const spec = isJsonObject(body.spec) ? body.spec : {};
  const domain = jsonText(metadata.name).toLowerCase();
  if (!domain) throw invalid('metadata.name', 'Required field is missing: the domain to map.');
  if (!HOSTNAME.test(domain)) throw invalid('metadata.name', `Invalid domain name "${domain}".`);
  const namespace = metadata.namespace === undefined ? '' : jsonText(metadata.namespace);
  if (namespace && projectOf(ctx, namespace).projectId !== scope.project.projectId) {
    throw invalid('metadata.namespace', `must name the project of the request (${scope.project.projectId}).`);
  }
  const routeName = jsonText(spec.routeName);
  if (!routeName) throw invalid('spec.routeName', 'Required field is missing: the Cloud Run service to map the domain to.');
  const certificateMode = jsonText(spec.certificateMode ?? 'AUTOMATIC');
  if (!['AUTOMATIC', 'NONE', 'CERTIFICATE_MODE_UNSPECIFIED'].includes(certificateMode))
    throw invalid('spec.certificateMode', `Invalid value "${certificateMode}".`);
  if (!isDomainVerified(ctx, domain)) throw notAuthorized(domain);
  if (!routeExists(ctx, scope.project.projectId, scope.region, routeName)) {
    throw new ApiError(
      'NOT_FOUND',
      `Resource '${routeName}' of kind 'SERVICE' in region '${scope.region}' in project '${scope.project.projectId}' does not exist.`,
    );
  }
  const key = mappingKey(scope.project.projectId, scope.region, domain);
  if (mappingsOf(ctx).has(key)) throw new ApiError('ALREADY_EXISTS', `Resource '${domain}' already exists.`);
  const record: DomainMappingRecord = {
    projectId: scope.project.projectId,
    region: scope.region,
    domain,
    routeName,
    certificateMode: certificateMode === 'CERTIFICATE_MODE_UNSPECIFIED' ? 'AUTOMATIC' : certificateMode,
    forceOverride: spec.forceOverride === true,
    uid: randomUUID(),
    createTime: ctx.now,
    resourceVersion: Buffer.from(String(ctx.now)).toString('base64'),
    labels: stringMap(metadata.labels),
    annotations: {
      ...stringMap(metadata.annotations),
      'serving.knative.dev/creator': 'user@example.com',
      'serving.knative.dev/lastModifier': 'user@example.com',
      'run.googleapis.com/operation-id': randomUUID(),
    },
  };
  if (!dryRun) mappingsOf(ctx).set(key, record);
  return renderMapping(record, ctx, routeExists, ctx.now, true);
}

function get(scope: Scope, domain: string, ctx: CallContext, routeExists: RouteLookup): JsonObject {
  const record = mappingsOf(ctx).get(mappingKey(scope.project.projectId, scope.region, domain.toLowerCase()));
  if (!record) throw notFound(domain, scope);
  return renderMapping(record, ctx, routeExists, Date.now());
}

function list(scope: Scope, ctx: CallContext, routeExists: RouteLookup): JsonObject {
  const items = mappingsOf(ctx)
    .values()
    .filter((record) => record.projectId === scope.project.projectId && record.region === scope.region)
    .sort((a, b) => a.domain.localeCompare(b.domain))
    .map((record) => renderMapping(record, ctx, routeExists, Date.now()));
  return {
    apiVersion: API_VERSION,
    kind: 'DomainMappingList',
    metadata: {
      selfLink: `/apis/domains.cloudrun.com/v1/namespaces/${scope.project.projectNumber}/domainmappings`,
      resourceVersion: Buffer.from(String(Date.now())).toString('base64'),
    },
    items,
  };
}

function remove(scope: Scope, domain: string, dryRun: boolean, ctx: CallContext): JsonObject {
  const key = mappingKey(scope.project.projectId, scope.region, domain.toLowerCase());
  const record = mappingsOf(ctx).get(key);
  if (!record) throw notFound(domain, scope);
  if (!dryRun) mappingsOf(ctx).delete(key);
  return {
    metadata: {},
    status: 'Success',
    details: { name: record.domain, group: 'domains.cloudrun.com', kind: 'domainmappings', uid: record.uid },
  };
}

// -------------------------------------------------------------------------------------------

interface HostRequest {
  host: string;
  namespace: string;
  name?: string;
  dryRun?: string;
  domainMapping?: JsonObject;
}

interface ProjectsRequest {
  parent?: string;
  name?: string;
  dryRun?: string;
  domainMapping?: JsonObject;
}

const NAMESPACES = '/hosts/{host}/apis/domains.cloudrun.com/v1/namespaces/{namespace}/domainmappings';
const AUTHORIZED = '/hosts/{host}/apis/domains.cloudrun.com/v1/namespaces/{namespace}/authorizeddomains';

/** ListAuthorizedDomainsResponse: `domains[]` of `{name, id}` (https://cloud.google.com/run/docs/reference/rest/v1/namespaces.authorizeddomains/list). */
function listAuthorized(project: ProjectRecord, services: EmulatorServices): JsonObject {
  return { domains: authorizedDomains(services).map((id) => ({ name: `projects/${project.projectId}/authorizedDomains/${id}`, id })) };
}

function hostScope(request: HostRequest, services: EmulatorServices): Scope {
  return { project: projectOf(services, request.namespace), region: regionOfHost(request.host) };
}

function projectsScope(reference: string, services: EmulatorServices): { scope: Scope; name?: string } {
  const match = /^projects\/([^/]+)\/locations\/([^/]+)(?:\/domainmappings\/([^/]+))?$/.exec(reference);
  if (!match || !REGION.test(match[2])) throw new ApiError('INVALID_ARGUMENT', `Invalid resource name "${reference}".`);
  return { scope: { project: projectOf(services, match[1]), region: match[2] }, ...(match[3] ? { name: match[3] } : {}) };
}

/** The REST routes; `routeExists` tells whether a Cloud Run service exists (injected by cloud-run.ts). */
export function domainMappingRoutes(routeExists: RouteLookup): RestRoute[] {
  const hostResource = (request: HostRequest) => `namespaces/${request.namespace}/domainmappings${request.name ? `/${request.name}` : ''}`;
  const hostProject = (request: HostRequest) => request.namespace;
  const projectsResource = (request: ProjectsRequest) => String(request.name ?? request.parent ?? '');
  return [
    restRoute<HostRequest>({
      verb: 'GET',
      path: AUTHORIZED,
      rpcName: 'google.cloud.run.v1.AuthorizedDomains/ListAuthorizedDomains',
      permission: 'run.authorizeddomains.list',
      resource: (request) => `namespaces/${request.namespace}/authorizeddomains`,
      project: hostProject,
      // The global endpoint serves this list too (its list methods work there), so any run host does.
      handle: (request, ctx) => listAuthorized(projectOf(ctx, request.namespace), ctx),
    }),
    restRoute<ProjectsRequest>({
      verb: 'GET',
      path: '/v1/{parent=projects/*/locations/*}/authorizeddomains',
      rpcName: 'google.cloud.run.v1.AuthorizedDomains/ListAuthorizedDomains',
      permission: 'run.authorizeddomains.list',
      resource: projectsResource,
      handle: (request, ctx) => listAuthorized(projectsScope(String(request.parent), ctx).scope.project, ctx),
    }),
    restRoute<HostRequest>({
      verb: 'POST',
      path: NAMESPACES,
      body: 'domainMapping',
      rpcName: `${RPC}/CreateDomainMapping`,
      permission: 'run.domainmappings.create',
      resource: (request) => {
        const metadata = request.domainMapping?.metadata;
        return `${hostResource(request)}/${isJsonObject(metadata) && typeof metadata.name === 'string' ? metadata.name : ''}`;
      },
      project: hostProject,
      handle: (request, ctx) => create(hostScope(request, ctx), request.domainMapping, isDryRun(request.dryRun), ctx, routeExists),
    }),
    restRoute<HostRequest>({
      verb: 'GET',
      path: NAMESPACES,
      rpcName: `${RPC}/ListDomainMappings`,
      permission: 'run.domainmappings.list',
      resource: hostResource,
      project: hostProject,
      handle: (request, ctx) => list(hostScope(request, ctx), ctx, routeExists),
    }),
    restRoute<HostRequest>({
      verb: 'GET',
      path: `${NAMESPACES}/{name}`,
      rpcName: `${RPC}/GetDomainMapping`,
      permission: 'run.domainmappings.get',
      resource: hostResource,
      project: hostProject,
      handle: (request, ctx) => get(hostScope(request, ctx), String(request.name), ctx, routeExists),
    }),
    restRoute<HostRequest>({
      verb: 'DELETE',
      path: `${NAMESPACES}/{name}`,
      rpcName: `${RPC}/DeleteDomainMapping`,
      permission: 'run.domainmappings.delete',
      resource: hostResource,
      project: hostProject,
      handle: (request, ctx) => remove(hostScope(request, ctx), String(request.name), isDryRun(request.dryRun), ctx),
    }),
    restRoute<ProjectsRequest>({
      verb: 'POST',
      path: '/v1/{parent=projects/*/locations/*}/domainmappings',
      body: 'domainMapping',
      rpcName: `${RPC}/CreateDomainMapping`,
      permission: 'run.domainmappings.create',
      resource: projectsResource,
      handle: (request, ctx) =>
        create(projectsScope(String(request.parent), ctx).scope, request.domainMapping, isDryRun(request.dryRun), ctx, routeExists),
    }),
    restRoute<ProjectsRequest>({
      verb: 'GET',
      path: '/v1/{parent=projects/*/locations/*}/domainmappings',
      rpcName: `${RPC}/ListDomainMappings`,
      permission: 'run.domainmappings.list',
      resource: projectsResource,
      handle: (request, ctx) => list(projectsScope(String(request.parent), ctx).scope, ctx, routeExists),
    }),
    restRoute<ProjectsRequest>({
      verb: 'GET',
      path: '/v1/{name=projects/*/locations/*/domainmappings/*}',
      rpcName: `${RPC}/GetDomainMapping`,
      permission: 'run.domainmappings.get',
      resource: projectsResource,
      handle(request, ctx) {
        const { scope, name } = projectsScope(String(request.name), ctx);
        return get(scope, String(name), ctx, routeExists);
      },
    }),
    restRoute<ProjectsRequest>({
      verb: 'DELETE',
      path: '/v1/{name=projects/*/locations/*/domainmappings/*}',
      rpcName: `${RPC}/DeleteDomainMapping`,
      permission: 'run.domainmappings.delete',
      resource: projectsResource,
      handle(request, ctx) {
        const { scope, name } = projectsScope(String(request.name), ctx);
        return remove(scope, String(name), isDryRun(request.dryRun), ctx);
      },
    }),
  ];
}
