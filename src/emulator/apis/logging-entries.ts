// Builders of the LogEntry JSON the emulated services write to Cloud Logging, in Google's shapes.
// Sources (real exported entries and Google's docs; README "Cloud Logging v2" lists them):
// - Cloud Run system events: `cloudaudit.googleapis.com%2Fsystem_event`, AuditLog payload whose
//   status.message reads "Ready condition status changed to True for Revision R with message:
//   Deploying revision succeeded in 7.69s." / "… to False for Revision R with message: …" (ERROR)
//   / "… to True for Service S." and methodName "/Services.CreateService" | "/Services.ReplaceService";
//   the service-level entry has empty revision_name and configuration_name labels.
// - Instance lines in `run.googleapis.com%2Fvarlog%2Fsystem` ("Starting new instance. Reason:
//   DEPLOYMENT_ROLLOUT - …", "Default STARTUP TCP probe succeeded after 1 attempt for container …").
// - Container output in `run.googleapis.com%2Fstdout` / `%2Fstderr`: a JSON object line becomes
//   jsonPayload (special fields lifted, as Google's structured-logging docs list), anything else
//   textPayload; `labels.instanceId`.
// - Cloud Build output in `projects/P/logs/cloudbuild`, resource type `build`, `labels.build_step`
//   "MAIN" or "Step #N[ - "id"]".
import { createHash } from 'node:crypto';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { SEVERITIES, parseTime } from './logging-filter.js';

export const AUDIT_LOG_TYPE = 'type.googleapis.com/google.cloud.audit.AuditLog';

/** `projects/P/logs/` + the URL-encoded log id, as Google writes log names. */
export function logNameOf(projectId: string, logId: string): string {
  return `projects/${projectId}/logs/${encodeURIComponent(logId)}`;
}

export interface RunServiceRef {
  projectId: string;
  projectNumber: string;
  location: string;
  serviceId: string;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The `cloud_run_revision` monitored resource; service-level entries leave the revision empty. */
export function runResource(ref: RunServiceRef, revisionId?: string): JsonObject {
  return {
    type: 'cloud_run_revision',
    labels: {
      location: ref.location,
      revision_name: revisionId ?? '',
      service_name: ref.serviceId,
      project_id: ref.projectId,
      configuration_name: revisionId ? ref.serviceId : '',
    },
  };
}

/** A Cloud Run instance id: a long hex string, stable per revision (one emulated instance each). */
export function instanceIdOf(ref: RunServiceRef, revisionId: string): string {
  return `00${createHash('sha256').update(`instance:${ref.projectId}/${ref.location}/${revisionId}`).digest('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// Cloud Run: admin activity and system events

export type ServiceMethod = 'CreateService' | 'UpdateService' | 'DeleteService';

const METHOD_PERMISSIONS: Record<ServiceMethod, string> = {
  CreateService: 'run.services.create',
  UpdateService: 'run.services.update',
  DeleteService: 'run.services.delete',
};

/** The Admin Activity audit entry of a v2 Services call that started an operation (abbreviated: no request/response bodies). */
export function serviceAuditEntry(
  ref: RunServiceRef,
  method: ServiceMethod,
  operationName: string,
  caller: string,
  now: number,
): JsonObject {
  const resourceName = `projects/${ref.projectId}/locations/${ref.location}/services/${ref.serviceId}`;
  return {
    protoPayload: {
      '@type': AUDIT_LOG_TYPE,
      status: {},
      authenticationInfo: { principalEmail: caller },
      serviceName: 'run.googleapis.com',
      methodName: `google.cloud.run.v2.Services.${method}`,
      authorizationInfo: [{ resource: resourceName, permission: METHOD_PERMISSIONS[method], granted: true, resourceAttributes: {} }],
      resourceName,
    },
    resource: runResource(ref),
    timestamp: iso(now),
    severity: 'NOTICE',
    logName: logNameOf(ref.projectId, 'cloudaudit.googleapis.com/activity'),
    operation: { id: operationName, producer: 'run.googleapis.com', first: true },
  };
}

interface ConditionEvent {
  kind: 'Revision' | 'Service';
  name: string;
  ready: boolean;
  /** Whether the service generation that caused it was the first (CreateService) or a later one (ReplaceService). */
  created: boolean;
  message?: string;
  reason?: string;
}

function systemEvent(ref: RunServiceRef, event: ConditionEvent, now: number): JsonObject {
  const statusText = event.ready ? 'True' : 'False';
  const suffix = event.message ? ` with message: ${event.message}` : '.';
  const condition: JsonObject = { type: 'Ready', status: statusText, lastTransitionTime: iso(now) };
  if (!event.ready && event.reason) condition.reason = event.reason;
  if (event.message) condition.message = event.message;
  const collection = event.kind === 'Revision' ? 'revisions' : 'services';
  return {
    protoPayload: {
      '@type': AUDIT_LOG_TYPE,
      status: { message: `Ready condition status changed to ${statusText} for ${event.kind} ${event.name}${suffix}` },
      serviceName: 'run.googleapis.com',
      methodName: event.created ? '/Services.CreateService' : '/Services.ReplaceService',
      resourceName: `namespaces/${ref.projectId}/${collection}/${event.name}`,
      response: {
        metadata: {
          name: event.name,
          namespace: ref.projectNumber,
          labels: { 'cloud.googleapis.com/location': ref.location },
        },
        apiVersion: 'serving.knative.dev/v1',
        kind: event.kind,
        status: { conditions: [condition] },
        '@type': `type.googleapis.com/google.cloud.run.v1.${event.kind}`,
      },
    },
    resource: runResource(ref, event.kind === 'Revision' ? event.name : undefined),
    timestamp: iso(now),
    severity: event.ready ? 'INFO' : 'ERROR',
    logName: logNameOf(ref.projectId, 'cloudaudit.googleapis.com/system_event'),
  };
}

function varlogSystem(ref: RunServiceRef, revisionId: string, text: string, now: number): JsonObject {
  return {
    textPayload: text,
    resource: runResource(ref, revisionId),
    timestamp: iso(now),
    severity: 'INFO',
    labels: { instanceId: instanceIdOf(ref, revisionId) },
    logName: logNameOf(ref.projectId, 'run.googleapis.com/varlog/system'),
  };
}

export interface RevisionOutcome {
  revisionId: string;
  created: boolean;
  /** When the revision was created (for "Deploying revision succeeded in Ns."). */
  createTime: number;
  containers: Array<{ name: string; port: number }>;
  /** Absent when the revision became Ready. */
  failure?: { reason: string; message: string };
}

/** What Cloud Run logs when a revision settles: an instance starting and its probe (Ready), then the Ready condition. */
export function revisionOutcomeEntries(ref: RunServiceRef, outcome: RevisionOutcome, now: number): JsonObject[] {
  const { revisionId } = outcome;
  if (outcome.failure) {
    return [systemEvent(ref, { kind: 'Revision', name: revisionId, ready: false, created: outcome.created, ...outcome.failure }, now)];
  }
  const seconds = (Math.max(0, now - outcome.createTime) / 1000).toFixed(2);
  const startedAt = Math.max(outcome.createTime, now - 2);
  return [
    varlogSystem(
      ref,
      revisionId,
      'Starting new instance. Reason: DEPLOYMENT_ROLLOUT - Instance started due to traffic shifting between revisions due to deployment, traffic split adjustment, or deployment health check.',
      startedAt,
    ),
    ...outcome.containers
      .filter((container) => container.port > 0)
      .map((container) =>
        varlogSystem(
          ref,
          revisionId,
          `Default STARTUP TCP probe succeeded after 1 attempt for container "${container.name}" on port ${container.port}.`,
          startedAt + 1,
        ),
      ),
    systemEvent(
      ref,
      {
        kind: 'Revision',
        name: revisionId,
        ready: true,
        created: outcome.created,
        message: `Deploying revision succeeded in ${seconds}s.`,
      },
      now,
    ),
  ];
}

/** The service-level Ready event (on failure Cloud Run repeats the revision's message). */
export function serviceOutcomeEntry(ref: RunServiceRef, created: boolean, failureMessage: string | undefined, now: number): JsonObject {
  return systemEvent(
    ref,
    failureMessage === undefined
      ? { kind: 'Service', name: ref.serviceId, ready: true, created }
      : { kind: 'Service', name: ref.serviceId, ready: false, created, message: failureMessage, reason: 'RevisionFailed' },
    now,
  );
}

// ---------------------------------------------------------------------------------------------
// Container output (what the emulator cannot run, tests and users inject)

const SPECIAL_FIELDS = {
  labels: 'logging.googleapis.com/labels',
  insertId: 'logging.googleapis.com/insertId',
  trace: 'logging.googleapis.com/trace',
  spanId: 'logging.googleapis.com/spanId',
  traceSampled: 'logging.googleapis.com/trace_sampled',
  sourceLocation: 'logging.googleapis.com/sourceLocation',
} as const;

function parseJsonLine(line: string): JsonObject | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(trimmed) as JsonValue;
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Lifts the structured-logging special fields out of a JSON payload into the entry. */
function liftSpecialFields(payload: JsonObject, entry: JsonObject): void {
  const severity = payload.severity;
  if (typeof severity === 'string' && severity.toUpperCase() in SEVERITIES) {
    entry.severity = severity.toUpperCase();
    delete payload.severity;
  }
  for (const key of ['time', 'timestamp'] as const) {
    const value = payload[key];
    if (typeof value === 'string' && parseTime(value) !== undefined) {
      entry.timestamp = new Date(parseTime(value)!).toISOString();
      delete payload[key];
      break;
    }
  }
  const labels = payload[SPECIAL_FIELDS.labels];
  if (isJsonObject(labels)) {
    entry.labels = { ...(isJsonObject(entry.labels) ? entry.labels : {}), ...labels };
    delete payload[SPECIAL_FIELDS.labels];
  }
  for (const field of ['insertId', 'trace', 'spanId', 'traceSampled', 'sourceLocation'] as const) {
    const value = payload[SPECIAL_FIELDS[field]];
    if (value !== undefined) {
      entry[field] = value;
      delete payload[SPECIAL_FIELDS[field]];
    }
  }
  if (isJsonObject(payload.httpRequest)) {
    entry.httpRequest = payload.httpRequest;
    delete payload.httpRequest;
  }
}

export interface ContainerLines {
  ref: RunServiceRef;
  revisionId: string;
  lines: string[];
  stream?: 'stdout' | 'stderr';
  /** When the lines were written (default: now); each following line 1 ms later. */
  startTime?: number;
}

/** Container output lines as Cloud Run's logging agent turns them into entries. */
export function containerLogEntries(input: ContainerLines, now = Date.now()): JsonObject[] {
  const start = input.startTime ?? now;
  const stream = input.stream ?? 'stdout';
  return input.lines.map((line, index) => {
    const entry: JsonObject = {
      resource: runResource(input.ref, input.revisionId),
      timestamp: iso(start + index),
      labels: { instanceId: instanceIdOf(input.ref, input.revisionId) },
      logName: logNameOf(input.ref.projectId, `run.googleapis.com/${stream}`),
    };
    const payload = parseJsonLine(line);
    if (payload) {
      liftSpecialFields(payload, entry);
      entry.jsonPayload = payload;
    } else {
      entry.textPayload = line;
    }
    return entry;
  });
}

// ---------------------------------------------------------------------------------------------
// Cloud Build

export interface BuildLog {
  projectId: string;
  buildId: string;
  tags: string[];
  steps: Array<{ name: string; id?: string }>;
  /** Images pushed (with digests) on success. */
  pushed: Array<{ name: string; digest: string }>;
  /** Whether the build had a source to fetch. */
  hasSource: boolean;
  /** The failure Cloud Build reports (statusDetail), when the build failed. */
  failure?: string;
  startTime: number;
  finishTime: number;
}

/** The tag docker prints after a push (`latest` when the image names none). */
function tagOf(image: string): string {
  const last = image.slice(image.lastIndexOf('/') + 1);
  return last.includes(':') ? last.slice(last.indexOf(':') + 1) : 'latest';
}

/** The lines Cloud Build itself writes around the steps (the steps' own output needs them to run, which the emulator does not). */
function buildLines(build: BuildLog): Array<{ step: string; text: string; error?: boolean }> {
  const main = (text: string, error = false) => ({ step: 'MAIN', text, ...(error ? { error } : {}) });
  const lines = [main(`starting build "${build.buildId}"`), main('')];
  if (build.hasSource) lines.push(main('FETCHSOURCE'));
  lines.push(main('BUILD'));
  build.steps.forEach((step, index) => {
    const label = step.id ? `Step #${index} - "${step.id}"` : `Step #${index}`;
    lines.push({ step: label, text: `Starting ${label}` });
    lines.push({ step: label, text: `${label}: Already have image (with digest): ${step.name}` });
    lines.push({ step: label, text: `Finished ${label}` });
  });
  if (build.pushed.length > 0 || build.failure) lines.push(main('PUSH'));
  for (const image of build.pushed) {
    lines.push(main(`Pushing ${image.name}`));
    lines.push(main(`${tagOf(image.name)}: digest: ${image.digest}`));
  }
  if (build.failure) {
    lines.push(main('ERROR', true));
    lines.push(main(`ERROR: ${build.failure}`, true));
  } else {
    lines.push(main('DONE'));
  }
  return lines;
}

/** Cloud Build's log entries for a finished build, spread over its run time. */
export function buildLogEntries(build: BuildLog): JsonObject[] {
  const lines = buildLines(build);
  const span = Math.max(0, build.finishTime - build.startTime);
  return lines.map((line, index) => {
    const labels: JsonObject = { build_step: line.step };
    if (build.tags.length > 0) labels.build_tags = build.tags.join(',');
    const entry: JsonObject = {
      textPayload: line.text,
      insertId: `${build.buildId}-${index}`,
      resource: { type: 'build', labels: { build_trigger_id: '', build_id: build.buildId, project_id: build.projectId } },
      timestamp: iso(build.startTime + Math.floor((span * index) / Math.max(1, lines.length - 1))),
      labels,
      logName: logNameOf(build.projectId, 'cloudbuild'),
    };
    if (line.error) entry.severity = 'ERROR';
    return entry;
  });
}
