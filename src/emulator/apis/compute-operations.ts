// Compute Engine's own Operation type (kind compute#operation), which is not google.longrunning:
// `status` PENDING/RUNNING/DONE, `progress`, `targetLink`/`targetId`, `insertTime`/`startTime`/
// `endTime`, `user`, and failures as `error.errors[{code, message}]` with `httpErrorStatusCode` and
// `httpErrorMessage` — shapes as recorded against Google (k8s-config-connector's compute `_http.log`
// files). The shared operation store only schedules them (due time, completion after a restart);
// their Compute fields live in the `compute.operations` collection.
import { randomBytes } from 'node:crypto';
import type { CallContext } from '../core/api.js';
import { ApiError, type CodeName } from '../core/errors.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import { COMPUTE_API, COMPUTE_URL_PREFIX, computeTimestamp, newComputeId, regionUrl } from '../core/networks.js';
import type { EmulatorServices } from '../core/services.js';

/** Who the emulated caller is (as Cloud Run's `creator`). */
const EMULATED_CALLER = 'user@example.com';
const OPERATIONS = 'compute.operations';
const REQUEST_IDS = 'compute.requestIds';
/** Operation names in the shared store are prefixed so they never meet google.longrunning names. */
const STORE_PREFIX = 'compute/';
/** Compute's `operations.wait` returns after at most two minutes (its documented deadline). */
const WAIT_LIMIT_MS = 120_000;

export interface ComputeOperationRecord {
  /** `projects/P/global/operations/NAME` or `projects/P/regions/R/operations/NAME`. */
  key: string;
  projectId: string;
  region?: string;
  name: string;
  id: string;
  operationType: string;
  targetLink: string;
  targetId: string;
  insertTime: string;
  startTime: string;
  endTime?: string;
  user: string;
  clientOperationId?: string;
  /** Set when the operation ended in failure. */
  failure?: { code: string; message: string; httpStatus: number };
}

/** An error Compute reports in its own REST shape, with its legacy `reason` word. */
export class ComputeError extends ApiError {
  constructor(
    code: CodeName,
    message: string,
    readonly reason: string,
  ) {
    super(code, message);
  }
}

/** What an operation's completion does; thrown ComputeFailures end the operation in error. */
export type ComputeEffect = (payload: JsonObject, services: EmulatorServices) => void;

/** A failure inside an operation: Compute's upper-case code (RESOURCE_IN_USE_BY_ANOTHER_RESOURCE) and message. */
export class ComputeFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
  }
}

const HTTP_MESSAGES: Record<number, string> = { 400: 'BAD REQUEST', 403: 'FORBIDDEN', 404: 'NOT FOUND', 409: 'CONFLICT' };

function operationsOf(services: EmulatorServices) {
  return services.store.collection<ComputeOperationRecord>(OPERATIONS);
}

/** `operation-1712345678901-6153f5a8b6c0c-2e6a8f52-8c3b1c4d`, the shape of Compute's operation names. */
function newOperationName(now: number): string {
  const hex = randomBytes(16).toString('hex');
  return `operation-${now}-${hex.slice(0, 13)}-${hex.slice(13, 21)}-${hex.slice(21, 29)}`;
}

export function operationKey(projectId: string, region: string | undefined, name: string): string {
  return region ? `projects/${projectId}/regions/${region}/operations/${name}` : `projects/${projectId}/global/operations/${name}`;
}

export interface StartComputeOperation {
  projectId: string;
  region?: string;
  operationType: 'insert' | 'delete';
  /** The target's path below the project: `global/networks/N`. */
  targetPath: string;
  targetId: string;
  /** The `compute` API's completer action and its payload. */
  action: string;
  payload: JsonObject;
  requestId?: string;
}

/** The operation a repeated `requestId` names (Compute answers the same operation instead of acting twice). */
export function operationForRequestId(ctx: CallContext, projectId: string, requestId: string | undefined): JsonObject | undefined {
  if (!requestId) return undefined;
  const key = ctx.store.collection<string>(REQUEST_IDS).get(`${projectId}/${requestId}`);
  const record = key ? operationsOf(ctx).get(key) : undefined;
  return record ? renderOperation(record, ctx) : undefined;
}

export function startComputeOperation(ctx: CallContext, spec: StartComputeOperation): JsonObject {
  const name = newOperationName(ctx.now);
  const key = operationKey(spec.projectId, spec.region, name);
  const timestamp = computeTimestamp(ctx.now);
  const record: ComputeOperationRecord = {
    key,
    projectId: spec.projectId,
    ...(spec.region ? { region: spec.region } : {}),
    name,
    id: newComputeId(),
    operationType: spec.operationType,
    targetLink: `${COMPUTE_URL_PREFIX}projects/${spec.projectId}/${spec.targetPath}`,
    targetId: spec.targetId,
    insertTime: timestamp,
    startTime: timestamp,
    user: EMULATED_CALLER,
    ...(spec.requestId ? { clientOperationId: spec.requestId } : {}),
  };
  operationsOf(ctx).set(key, record);
  if (spec.requestId) ctx.store.collection<string>(REQUEST_IDS).set(`${spec.projectId}/${spec.requestId}`, key);
  ctx.operations.start({
    name: `${STORE_PREFIX}${key}`,
    api: COMPUTE_API,
    completion: { action: 'finishComputeOperation', payload: { key, action: spec.action, payload: spec.payload } },
  });
  return renderOperation(record, ctx);
}

/** The shared store's completer: runs the effect, records success or Compute's failure shape. */
export function finishComputeOperation(effects: Record<string, ComputeEffect>) {
  return (payload: JsonValue, services: EmulatorServices): { response?: JsonObject } => {
    const { key, action, payload: effectPayload } = payload as { key: string; action: string; payload: JsonObject };
    const record = operationsOf(services).get(key);
    if (!record) return {};
    try {
      effects[action](effectPayload, services);
    } catch (error) {
      if (!(error instanceof ComputeFailure)) throw error;
      record.failure = { code: error.code, message: error.message, httpStatus: error.httpStatus };
    }
    record.endTime = computeTimestamp(Date.now());
    operationsOf(services).set(key, record);
    return {};
  };
}

function isDone(record: ComputeOperationRecord, services: EmulatorServices): boolean {
  return services.operations.peek(`${STORE_PREFIX}${record.key}`)?.done ?? true;
}

/** compute#operation as Compute's REST API answers it. */
export function renderOperation(record: ComputeOperationRecord, services: EmulatorServices): JsonObject {
  const done = isDone(record, services);
  const json: JsonObject = {
    kind: 'compute#operation',
    id: record.id,
    name: record.name,
    operationType: record.operationType,
    targetLink: record.targetLink,
    targetId: record.targetId,
    status: done ? 'DONE' : 'RUNNING',
    user: record.user,
    progress: done ? 100 : 0,
    insertTime: record.insertTime,
    startTime: record.startTime,
  };
  if (record.clientOperationId) json.clientOperationId = record.clientOperationId;
  if (done && record.endTime) json.endTime = record.endTime;
  if (done && record.failure) {
    json.error = { errors: [{ code: record.failure.code, message: record.failure.message }] };
    json.httpErrorStatusCode = record.failure.httpStatus;
    json.httpErrorMessage = HTTP_MESSAGES[record.failure.httpStatus] ?? 'BAD REQUEST';
  }
  json.selfLink = `${COMPUTE_URL_PREFIX}${record.key}`;
  if (record.region) json.region = regionUrl(record.projectId, record.region);
  return json;
}

export function findOperation(ctx: CallContext, projectId: string, region: string | undefined, name: string): ComputeOperationRecord {
  const key = operationKey(projectId, region, name);
  const record = operationsOf(ctx).get(key);
  if (!record) throw new ComputeError('NOT_FOUND', `The resource '${key}' was not found`, 'notFound');
  return record;
}

/** `operations.wait`: returns when the operation is done, or after Compute's two-minute limit. */
export async function waitForOperation(ctx: CallContext, record: ComputeOperationRecord): Promise<JsonObject> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    const scheduled = ctx.operations.peek(`${STORE_PREFIX}${record.key}`);
    if (!scheduled || scheduled.done || Date.now() >= deadline) break;
    // Timers may fire a little early: sleep at least 1 ms and look again until the due time has passed.
    const pause = Math.min(Math.max(1, scheduled.dueTime - Date.now()), deadline - Date.now());
    await new Promise((resolve) => setTimeout(resolve, pause));
    ctx.operations.settleDue();
  }
  return renderOperation(operationsOf(ctx).get(record.key) ?? record, ctx);
}
