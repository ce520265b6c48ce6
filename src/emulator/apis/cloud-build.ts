// Cloud Build v1 (google.devtools.cloudbuild.v1.CloudBuild): CreateBuild as a long-running
// operation, GetBuild, ListBuilds. The emulator runs no steps: a build "builds" by registering each
// image of `images[]` in its Artifact Registry repository (apis/artifact-registry.ts) under a
// stable digest derived from the build spec and the image name, so the same spec always yields
// the same digest and the registry serves a manifest for it. A build whose repository does not
// exist ends FAILURE, as a push to a missing repository does at Google.
//
// Timeline over --operation-delay D: QUEUED at creation, WORKING from D/2, then SUCCESS (or
// FAILURE) when the operation is done; the operation's metadata carries the build
// (BuildOperationMetadata) and its response the finished build. A failed build's operation ends
// with UNKNOWN "Build failed; check build logs for details", as Google's does.
import { createHash, randomUUID } from 'node:crypto';
import { defineApi, method, type CallContext } from '../core/api.js';
import { ApiError, ENTITY_NOT_FOUND, asApiError, badRequest } from '../core/errors.js';
import { typeUrlOf } from '../core/json-codec.js';
import { isJsonObject, jsonText, type JsonObject, type JsonValue } from '../core/json.js';
import { paginate } from '../core/pagination.js';
import type { ProjectRecord } from '../core/projects.js';
import type { EmulatorServices } from '../core/services.js';
import { isUserManagedServiceAccountEmail } from '../core/service-accounts.js';
import { builtImageDigest, registerImage } from './artifact-registry.js';
import { buildLogEntries } from './logging-entries.js';
import { buildMember, pushDenial, resolveStorageSource } from './cloud-build-access.js';

const API = 'cloudbuild.googleapis.com';
const SERVICE = 'google.devtools.cloudbuild.v1.CloudBuild';
const BUILDS = 'cloudbuild.builds';
const GLOBAL = 'global';

const LOCATION_PARENT = /^projects\/([^/]+)\/locations\/([^/]+)$/;
const BUILD_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/builds\/([^/]+)$/;
const SERVICE_ACCOUNT_NAME = /^projects\/([^/]+)\/serviceAccounts\/([^/]+)$/;
const USER_SUBSTITUTION = /^_[A-Z0-9_]+$/;
const AR_IMAGE = /^[a-z0-9-]+-docker\.pkg\.dev\//;
// `$$` is a literal dollar; `${NAME}` and `$NAME` are substitutions.
const VARIABLE = /\$(\$|\{([A-Za-z0-9_]*)\}|([A-Za-z0-9_]+))/g;

/** Fields of a Build that only the service sets; a client sending them is ignored, as at Google. */
const OUTPUT_ONLY = [
  'name',
  'id',
  'projectId',
  'status',
  'statusDetail',
  'results',
  'createTime',
  'startTime',
  'finishTime',
  'sourceProvenance',
  'buildTriggerId',
  'logUrl',
  'timing',
  'approval',
  'warnings',
  'failureInfo',
];

/** Built-in substitutions; the trigger-related ones are empty for a build created directly. */
const TRIGGER_SUBSTITUTIONS = [
  'BRANCH_NAME',
  'TAG_NAME',
  'REF_NAME',
  'COMMIT_SHA',
  'SHORT_SHA',
  'REVISION_ID',
  'REPO_NAME',
  'REPO_FULL_NAME',
  'TRIGGER_NAME',
  'TRIGGER_BUILD_CONFIG_PATH',
];

type BuildStatus = 'QUEUED' | 'WORKING' | 'SUCCESS' | 'FAILURE';

interface BuildRecord {
  id: string;
  projectId: string;
  projectNumber: string;
  location: string;
  /** The build as the client gave it (output-only fields dropped). */
  spec: JsonObject;
  /** The images with substitutions applied, as they are pushed. */
  images: string[];
  /** `resolvedStorageSource` with the generation the build took (builds from Cloud Storage). */
  sourceProvenance?: JsonObject;
  operationName: string;
  createTime: number;
  startTime: number;
  dueTime: number;
  /** Set when the operation completes; until then the status follows the clock. */
  outcome?: {
    status: 'SUCCESS' | 'FAILURE';
    finishTime: number;
    images?: Array<{ name: string; digest: string }>;
    statusDetail?: string;
    failureInfo?: { type: string; detail: string };
  };
}

function builds(services: EmulatorServices) {
  return services.store.collection<BuildRecord>(BUILDS);
}

function buildName(projectNumber: string, location: string, id: string): string {
  return `projects/${projectNumber}/locations/${location}/builds/${id}`;
}

function nameOf(build: BuildRecord): string {
  return buildName(build.projectNumber, build.location, build.id);
}

function invalidBuild(message: string, field?: string): ApiError {
  return new ApiError('INVALID_ARGUMENT', message, field ? [badRequest([{ field, description: message }])] : []);
}

function buildNotFound(): ApiError {
  return new ApiError('NOT_FOUND', ENTITY_NOT_FOUND);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with sorted keys, so equal specs hash equally whatever order their fields came in. */
function canonicalJson(value: JsonValue | undefined): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Where a build lives: `parent` (projects/P/locations/L) when given, else `project_id` in the global region. */
function placeOf(request: { projectId?: string; parent?: string }): { project: string; location: string } | undefined {
  const parent = LOCATION_PARENT.exec(request.parent ?? '');
  if (parent) return { project: parent[1], location: parent[2] };
  if (request.projectId) return { project: request.projectId, location: GLOBAL };
  return undefined;
}

function requirePlace(request: { projectId?: string; parent?: string }, ctx: CallContext): { project: ProjectRecord; location: string } {
  const place = placeOf(request);
  if (!place) throw invalidBuild('project_id (or parent projects/{project}/locations/{location}) is required.', 'project_id');
  return { project: ctx.projects.require(place.project, API), location: place.location };
}

function resourceOfPlace(request: { projectId?: string; parent?: string }): string {
  const place = placeOf(request);
  if (!place) return '';
  return place.location === GLOBAL && !request.parent
    ? `projects/${place.project}`
    : `projects/${place.project}/locations/${place.location}`;
}

// ---------------------------------------------------------------------------------------------
// Substitutions

interface SubstitutionScan {
  values: Record<string, string>;
  loose: boolean;
  used: Set<string>;
}

function substitute(text: string, scan: SubstitutionScan, field: string): string {
  return text.replace(VARIABLE, (_whole, dollar: string, braced: string | undefined, bare: string | undefined) => {
    if (dollar === '$') return '$';
    const key = braced ?? bare ?? '';
    if (Object.prototype.hasOwnProperty.call(scan.values, key)) {
      scan.used.add(key);
      return scan.values[key];
    }
    if (!USER_SUBSTITUTION.test(key)) {
      throw invalidBuild(`invalid value for '${field}': key in the template "${key}" is not a valid built-in substitution`, field);
    }
    if (scan.loose) return '';
    throw invalidBuild(`key in the template "${key}" is not matched in the substitution list`, field);
  });
}

function substitutionValues(spec: JsonObject, project: ProjectRecord, id: string, location: string): Record<string, string> {
  const user = isJsonObject(spec.substitutions) ? (spec.substitutions as Record<string, string>) : {};
  for (const key of Object.keys(user)) {
    if (!USER_SUBSTITUTION.test(key)) {
      throw invalidBuild(
        `invalid value for 'build.substitutions': substitution key "${key}" does not respect format "^_[A-Z0-9_]+$"`,
        'build.substitutions',
      );
    }
  }
  const builtIn: Record<string, string> = {
    PROJECT_ID: project.projectId,
    PROJECT_NUMBER: project.projectNumber,
    BUILD_ID: id,
    LOCATION: location,
  };
  for (const key of TRIGGER_SUBSTITUTIONS) builtIn[key] = '';
  return { ...builtIn, ...user };
}

/**
 * Checks every substitutable field (step names, args, env, dir, entrypoint, script; images) and
 * returns the images with substitutions applied. Unless options.substitutionOption is ALLOW_LOOSE,
 * an unknown user substitution and an unused one are errors, as at Google.
 */
function applySubstitutions(spec: JsonObject, values: Record<string, string>): string[] {
  const options = isJsonObject(spec.options) ? spec.options : {};
  const scan: SubstitutionScan = { values, loose: options.substitutionOption === 'ALLOW_LOOSE', used: new Set() };
  const steps = Array.isArray(spec.steps) ? (spec.steps as JsonObject[]) : [];
  steps.forEach((step, index) => {
    for (const key of ['name', 'dir', 'entrypoint', 'script'] as const) {
      if (typeof step[key] === 'string') substitute(step[key], scan, `build.steps[${index}].${key}`);
    }
    for (const key of ['args', 'env'] as const) {
      const list = Array.isArray(step[key]) ? (step[key] as string[]) : [];
      list.forEach((item, i) => substitute(String(item), scan, `build.steps[${index}].${key}[${i}]`));
    }
  });
  const images = (Array.isArray(spec.images) ? (spec.images as string[]) : []).map((image, i) =>
    substitute(String(image), scan, `build.images[${i}]`),
  );
  if (!scan.loose) {
    const unused = Object.keys(values).filter((key) => USER_SUBSTITUTION.test(key) && !scan.used.has(key));
    if (unused.length > 0)
      throw invalidBuild(`key "${unused[0]}" in the substitution data is not matched in the template`, 'build.substitutions');
  }
  return images;
}

// ---------------------------------------------------------------------------------------------
// Validation

function validateSpec(spec: JsonObject, ctx: CallContext): void {
  const steps = spec.steps;
  if (!Array.isArray(steps) || steps.length === 0)
    throw invalidBuild('invalid build: the build must have at least one step', 'build.steps');
  steps.forEach((step, index) => {
    if (!isJsonObject(step) || typeof step.name !== 'string' || step.name === '') {
      throw invalidBuild(`invalid build: build step ${index} must specify a name`, `build.steps[${index}].name`);
    }
  });
  const serviceAccount = spec.serviceAccount;
  if (typeof serviceAccount === 'string' && serviceAccount !== '') {
    const match = SERVICE_ACCOUNT_NAME.exec(serviceAccount);
    if (!match)
      throw invalidBuild(
        `invalid value for 'build.service_account': "${serviceAccount}" is not of the form projects/{project}/serviceAccounts/{email}`,
        'build.service_account',
      );
    const email = match[2];
    if (isUserManagedServiceAccountEmail(email) && !ctx.serviceAccounts.find(email)) {
      throw invalidBuild(`invalid value for 'build.service_account': service account ${email} does not exist`, 'build.service_account');
    }
    // Google's rule for builds that run as a chosen service account: its logs must go somewhere that account can write.
    const options = isJsonObject(spec.options) ? spec.options : {};
    const logsOk =
      (typeof spec.logsBucket === 'string' && spec.logsBucket !== '') ||
      options.defaultLogsBucketBehavior === 'REGIONAL_USER_OWNED_BUCKET' ||
      options.logging === 'CLOUD_LOGGING_ONLY' ||
      options.logging === 'NONE';
    if (!logsOk) {
      throw invalidBuild(
        "if 'build.service_account' is specified, the build must either (a) specify 'build.logs_bucket', (b) use the REGIONAL_USER_OWNED_BUCKET build.options.default_logs_bucket_behavior option, or (c) use either CLOUD_LOGGING_ONLY / NONE logging options",
        'build.service_account',
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering

function statusOf(build: BuildRecord, now: number): BuildStatus {
  if (build.outcome) return build.outcome.status;
  // A build is QUEUED when created, even with no operation delay (then it starts at once).
  return now > build.createTime && now >= build.startTime ? 'WORKING' : 'QUEUED';
}

function logUrlOf(build: BuildRecord): string {
  const region = build.location === GLOBAL ? '' : `;region=${build.location}`;
  return `https://console.cloud.google.com/cloud-build/builds${region}/${build.id}?project=${build.projectNumber}`;
}

function buildJson(build: BuildRecord, now: number): JsonObject {
  const status = statusOf(build, now);
  const outcome = build.outcome;
  const spec = build.spec;
  const steps = (Array.isArray(spec.steps) ? (spec.steps as JsonObject[]) : []).map((step) => {
    const rendered: JsonObject = { ...step };
    if (outcome) {
      // The steps themselves always succeed here; only pushing can fail.
      rendered.status = 'SUCCESS';
      rendered.timing = { startTime: iso(build.startTime), endTime: iso(outcome.finishTime) };
      rendered.pullTiming = { startTime: iso(build.startTime), endTime: iso(build.startTime) };
    } else {
      rendered.status = status === 'WORKING' ? 'WORKING' : 'QUEUED';
    }
    return rendered;
  });
  const options = isJsonObject(spec.options) ? spec.options : {};
  const json: JsonObject = {
    ...spec,
    name: nameOf(build),
    id: build.id,
    projectId: build.projectId,
    status,
    steps,
    createTime: iso(build.createTime),
    timeout: typeof spec.timeout === 'string' ? spec.timeout : '600s',
    queueTtl: typeof spec.queueTtl === 'string' ? spec.queueTtl : '3600s',
    logsBucket:
      typeof spec.logsBucket === 'string' && spec.logsBucket
        ? spec.logsBucket
        : `gs://${build.projectNumber}.cloudbuild-logs.googleusercontent.com`,
    options: { logging: 'LEGACY', ...options, pool: isJsonObject(options.pool) ? options.pool : {} },
    logUrl: logUrlOf(build),
    serviceAccount:
      typeof spec.serviceAccount === 'string' && spec.serviceAccount
        ? spec.serviceAccount
        : `projects/${build.projectId}/serviceAccounts/${build.projectNumber}-compute@developer.gserviceaccount.com`,
  };
  if (build.sourceProvenance) json.sourceProvenance = build.sourceProvenance;
  if (status !== 'QUEUED') json.startTime = iso(build.startTime);
  if (outcome) {
    json.finishTime = iso(outcome.finishTime);
    const timing: JsonObject = { BUILD: { startTime: iso(build.startTime), endTime: iso(outcome.finishTime) } };
    if (build.images.length > 0) timing.PUSH = { startTime: iso(outcome.finishTime), endTime: iso(outcome.finishTime) };
    json.timing = timing;
    json.results = {
      ...(outcome.images && outcome.images.length > 0
        ? {
            images: outcome.images.map((image) => ({
              ...image,
              pushTiming: { startTime: iso(outcome.finishTime), endTime: iso(outcome.finishTime) },
            })),
          }
        : {}),
      buildStepImages: steps.map((step) => `sha256:${sha256(`builder|${jsonText(step.name)}`)}`),
    };
    if (outcome.statusDetail) json.statusDetail = outcome.statusDetail;
    if (outcome.failureInfo) json.failureInfo = outcome.failureInfo;
  }
  return json;
}

function metadataOf(build: BuildRecord, now: number): JsonObject {
  return { '@type': typeUrlOf('google.devtools.cloudbuild.v1.BuildOperationMetadata'), build: buildJson(build, now) };
}

// ---------------------------------------------------------------------------------------------
// "Building": pushing the images

function withDefaultTag(image: string): string {
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  return lastSegment.includes(':') || image.includes('@') ? image : `${image}:latest`;
}

/** Where a missing-repository push fails, the message docker prints for Artifact Registry. */
function repositoryOf(image: string): string {
  return image.split('/')[2]?.split(/[:@]/)[0] ?? image;
}

/** Cloud Build's own lines for the finished build, in Cloud Logging (`logs/cloudbuild`, resource type `build`). */
function logBuild(build: BuildRecord, services: EmulatorServices): void {
  const outcome = build.outcome!;
  const steps = (Array.isArray(build.spec.steps) ? build.spec.steps : []).filter(isJsonObject);
  const entries = buildLogEntries({
    projectId: build.projectId,
    buildId: build.id,
    tags: Array.isArray(build.spec.tags) ? build.spec.tags.map((tag) => jsonText(tag)) : [],
    steps: steps.map((step) => ({
      name: jsonText(step.name),
      ...(typeof step.id === 'string' && step.id ? { id: step.id } : {}),
    })),
    pushed: outcome.images ?? [],
    hasSource: isJsonObject(build.spec.source),
    ...(outcome.status === 'FAILURE' ? { failure: outcome.statusDetail ?? 'build failed' } : {}),
    startTime: build.startTime,
    finishTime: outcome.finishTime,
  });
  services.logs.write(entries, outcome.finishTime);
}

function completeBuild(payload: JsonValue, services: EmulatorServices): { response?: JsonObject; metadata?: JsonObject } {
  const key = isJsonObject(payload) ? jsonText(payload.build) : '';
  const build = builds(services).get(key);
  if (!build) throw new ApiError('INTERNAL', `build ${key} vanished`);
  const finishTime = Math.max(Date.now(), build.dueTime);
  const specHash = canonicalJson(build.spec);
  const pushed: Array<{ name: string; digest: string }> = [];
  const { member } = buildMember(build.spec, build.projectNumber);
  try {
    for (const image of build.images) {
      const reference = withDefaultTag(image);
      // Pushing is done as the build's service account: it needs write access to the repository.
      const denial = pushDenial(services, reference, member);
      if (denial) throw new ApiError('PERMISSION_DENIED', denial);
      // Stable: the same build spec and image always give the same digest.
      const seed = sha256(`${specHash}\n${image}`);
      if (AR_IMAGE.test(reference)) {
        const digest = builtImageDigest(services, reference, seed);
        registerImage(services, reference, digest);
        pushed.push({ name: image, digest });
      } else {
        // Registries the emulator does not model (gcr.io, Docker Hub): the push is taken as done.
        pushed.push({ name: image, digest: `sha256:${seed}` });
      }
    }
  } catch (error) {
    const apiError = asApiError(error);
    const image = build.images[pushed.length] ?? '';
    const detail =
      apiError.code === 'NOT_FOUND'
        ? `failed to push image "${image}": name unknown: Repository "${repositoryOf(image)}" not found`
        : `failed to push image "${image}": ${apiError.message}`;
    const type = apiError.code === 'PERMISSION_DENIED' ? 'PUSH_NOT_AUTHORIZED' : 'PUSH_FAILED';
    build.outcome = { status: 'FAILURE', finishTime, statusDetail: detail, failureInfo: { type, detail } };
    builds(services).set(key, build);
    logBuild(build, services);
    // The operation fails, but its metadata still shows the finished build (the completer's
    // metadata is only applied on success, so it is written onto the operation here).
    const operation = services.operations.peek(build.operationName);
    if (operation) operation.metadata = metadataOf(build, finishTime);
    throw new ApiError('UNKNOWN', 'Build failed; check build logs for details');
  }
  build.outcome = { status: 'SUCCESS', finishTime, images: pushed };
  builds(services).set(key, build);
  logBuild(build, services);
  return {
    metadata: metadataOf(build, finishTime),
    response: { '@type': typeUrlOf('google.devtools.cloudbuild.v1.Build'), ...buildJson(build, finishTime) },
  };
}

// ---------------------------------------------------------------------------------------------
// List filter: `status="SUCCESS"`, `tags="x"`, `images="…"`, joined by AND.

function buildFilter(filter: string | undefined): (build: BuildRecord, now: number) => boolean {
  const text = (filter ?? '').trim();
  if (text === '') return () => true;
  const terms = text.split(/\s+AND\s+/i).map((term) => {
    const match = /^(status|tags|images|id)\s*=\s*"?([^"]*)"?$/.exec(term.trim());
    if (!match)
      throw invalidBuild(
        `Invalid filter: "${text}". The emulator supports status="…", tags="…", images="…" and id="…" joined by AND.`,
        'filter',
      );
    const [, field, value] = match as unknown as [string, string, string];
    return (build: BuildRecord, now: number): boolean => {
      switch (field) {
        case 'status':
          return statusOf(build, now) === value;
        case 'tags':
          return Array.isArray(build.spec.tags) && (build.spec.tags as string[]).includes(value);
        case 'images':
          return build.images.includes(value);
        default:
          return build.id === value;
      }
    };
  });
  return (build, now) => terms.every((term) => term(build, now));
}

// ---------------------------------------------------------------------------------------------

function findBuild(ctx: CallContext, project: ProjectRecord, location: string, id: string): BuildRecord {
  const build = builds(ctx).get(buildName(project.projectNumber, location, id));
  if (!build) throw buildNotFound();
  return build;
}

export const cloudBuildApi = defineApi({
  service: API,
  title: 'Cloud Build API',
  protoPackage: '@google-cloud/cloudbuild',
  grpcServices: [SERVICE],
  // The REST client polls global builds' operations at /v1/operations/build/P/ID and regional ones under the location.
  operationPaths: ['/v1/{name=operations/**}', '/v1/{name=projects/*/locations/*/operations/*}'],

  methods: {
    [`${SERVICE}/CreateBuild`]: method<{ projectId?: string; parent?: string; build?: JsonObject }>({
      permission: 'cloudbuild.builds.create',
      resource: resourceOfPlace,
      handle(request, ctx) {
        const { project, location } = requirePlace(request, ctx);
        if (!isJsonObject(request.build)) throw invalidBuild('build is required.', 'build');
        const spec: JsonObject = { ...request.build };
        for (const field of OUTPUT_ONLY) delete spec[field];
        validateSpec(spec, ctx);
        // The source is resolved (and read access checked) when the build is created, as at Google.
        const sourceProvenance = resolveStorageSource(ctx, spec, project.projectNumber);
        const id = randomUUID();
        const images = applySubstitutions(spec, substitutionValues(spec, project, id, location));
        const delay = ctx.options.operationDelayMs;
        const opId = Buffer.from(id).toString('base64');
        const build: BuildRecord = {
          id,
          projectId: project.projectId,
          projectNumber: project.projectNumber,
          location,
          spec,
          images,
          ...(sourceProvenance ? { sourceProvenance } : {}),
          operationName:
            location === GLOBAL
              ? `operations/build/${project.projectId}/${opId}`
              : `projects/${project.projectId}/locations/${location}/operations/${opId}`,
          createTime: ctx.now,
          startTime: ctx.now + Math.floor(delay / 2),
          dueTime: ctx.now + delay,
        };
        builds(ctx).set(nameOf(build), build);
        const operation = ctx.operations.start({
          name: build.operationName,
          api: API,
          metadata: metadataOf(build, ctx.now),
          completion: { action: 'completeBuild', payload: { build: nameOf(build) } },
        });
        // The operation store stamps its own due time; the build's clock follows it.
        build.dueTime = operation.dueTime;
        builds(ctx).set(nameOf(build), build);
        return ctx.operations.toJson(operation);
      },
    }),

    [`${SERVICE}/GetBuild`]: method<{ name?: string; projectId?: string; id?: string }>({
      permission: 'cloudbuild.builds.get',
      resource: (request) => request.name || `projects/${request.projectId ?? ''}/builds/${request.id ?? ''}`,
      handle(request, ctx) {
        const named = BUILD_NAME.exec(request.name ?? '');
        if (request.name && !named)
          throw invalidBuild(
            `Invalid build name: "${request.name}". Expected projects/{project}/locations/{location}/builds/{build}.`,
            'name',
          );
        const projectRef = named ? named[1] : request.projectId;
        const id = named ? named[3] : request.id;
        if (!projectRef) throw invalidBuild('project_id is required.', 'project_id');
        if (!id) throw invalidBuild('id is required.', 'id');
        const project = ctx.projects.require(projectRef, API);
        return buildJson(findBuild(ctx, project, named ? named[2] : GLOBAL, id), Date.now());
      },
    }),

    [`${SERVICE}/ListBuilds`]: method<{ projectId?: string; parent?: string; pageSize?: number; pageToken?: string; filter?: string }>({
      permission: 'cloudbuild.builds.list',
      resource: resourceOfPlace,
      handle(request, ctx) {
        const { project, location } = requirePlace(request, ctx);
        const now = Date.now();
        const matches = buildFilter(request.filter);
        const listed = builds(ctx)
          .values()
          .filter((build) => build.projectNumber === project.projectNumber && build.location === location && matches(build, now))
          .sort((a, b) => b.createTime - a.createTime || (a.id < b.id ? -1 : 1));
        const page = paginate(listed, request.pageSize, request.pageToken, { defaultSize: 50, maxSize: 1000 });
        const json: JsonObject = { builds: page.items.map((build) => buildJson(build, now)) };
        if (page.nextPageToken) json.nextPageToken = page.nextPageToken;
        return json;
      },
    }),
  },

  operationCompleters: { completeBuild },
});
