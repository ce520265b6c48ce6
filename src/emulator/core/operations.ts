// Long-running operations of every API in one store. An operation is created not done and becomes
// done `--operation-delay` ms later; at that moment its completer (named, so it survives a state
// file reload) runs and produces the response, or an error. Due operations are settled at the
// start of every call, so their side effects are visible to any call made after the due time,
// whether or not anyone polled.
import { randomBytes } from 'node:crypto';
import { asApiError, ENTITY_NOT_FOUND, ApiError, type ErrorDetail } from './errors.js';
import type { JsonObject, JsonValue } from './json.js';
import { paginate } from './pagination.js';
import type { StateStore } from './state.js';
import type { OperationCompleter } from './api.js';
import type { EmulatorServices } from './services.js';

export interface OperationRecord {
  name: string;
  /** Service name of the API that owns the operation (for the request log). */
  api: string;
  createTime: number;
  /** When the operation becomes done (ms since epoch). */
  dueTime: number;
  done: boolean;
  /** `Any` in proto3 JSON form. */
  metadata?: JsonObject;
  response?: JsonObject;
  error?: { code: number; message: string; details?: ErrorDetail[] };
  /** What to run when due: an `operationCompleters` entry of the owning API, with its argument. */
  completion?: { action: string; payload: JsonValue };
}

export interface StartOperation {
  name: string;
  api: string;
  metadata?: JsonObject;
  completion: { action: string; payload: JsonValue };
  /** Overrides `--operation-delay` for this operation. */
  delayMs?: number;
}

/** The longest a WaitOperation without (or with a longer) timeout holds the call. */
export const MAX_WAIT_MS = 60_000;

function parseDoneFilter(filter: string): boolean | undefined {
  if (filter.trim() === '') return undefined;
  const match = /^\s*done\s*=\s*(true|false)\s*$/.exec(filter);
  // Wording ours: Google's filter grammar is richer than the emulator's.
  if (!match) throw new ApiError('INVALID_ARGUMENT', `Invalid filter "${filter}": the emulator understands done=true and done=false.`);
  return match[1] === 'true';
}

export type CompleterLookup = (api: string, action: string) => OperationCompleter | undefined;

export class OperationStore {
  constructor(
    private readonly store: StateStore,
    private readonly defaultDelayMs: number,
    private readonly completerOf: CompleterLookup,
    private readonly services: () => EmulatorServices,
  ) {}

  /** A fresh id; APIs build their own name shapes around it (`operations/ID`, `projects/P/locations/L/operations/ID`). */
  newId(prefix = ''): string {
    return `${prefix}${randomBytes(12).toString('hex')}`;
  }

  start(spec: StartOperation): OperationRecord {
    const now = Date.now();
    const record: OperationRecord = {
      name: spec.name,
      api: spec.api,
      createTime: now,
      dueTime: now + (spec.delayMs ?? this.defaultDelayMs),
      done: false,
      ...(spec.metadata ? { metadata: spec.metadata } : {}),
      completion: spec.completion,
    };
    this.store.data.operations[spec.name] = record;
    this.store.markDirty();
    return record;
  }

  /** The operation without settling it (for routing decisions such as the request log's api). */
  peek(name: string): OperationRecord | undefined {
    return this.store.data.operations[name];
  }

  get(name: string): OperationRecord {
    this.settleDue();
    const record = this.store.data.operations[name];
    if (!record) throw new ApiError('NOT_FOUND', ENTITY_NOT_FOUND);
    return record;
  }

  /** Completes every operation whose due time has passed, oldest first. */
  settleDue(now = Date.now()): void {
    const due = Object.values(this.store.data.operations)
      .filter((record) => !record.done && record.dueTime <= now)
      .sort((a, b) => a.dueTime - b.dueTime);
    for (const record of due) this.complete(record);
  }

  private complete(record: OperationRecord): void {
    const completion = record.completion;
    try {
      const completer = completion && this.completerOf(record.api, completion.action);
      if (!completion || !completer) throw new Error(`no completer "${completion?.action}" for ${record.api}`);
      const outcome = completer(completion.payload, this.services());
      if (outcome.metadata) record.metadata = outcome.metadata;
      if (outcome.error) throw outcome.error;
      if (outcome.response) record.response = outcome.response;
    } catch (error) {
      const apiError = asApiError(error);
      record.error = {
        code: apiError.numericCode,
        message: apiError.message,
        ...(apiError.details.length ? { details: apiError.details } : {}),
      };
    }
    record.done = true;
    delete record.completion;
    this.store.markDirty();
  }

  /**
   * WaitOperation: waits until the operation is due (so done) or `timeoutMs` passes, whichever
   * comes first, and answers it as it then is. Without a timeout the wait is capped at
   * `MAX_WAIT_MS` (Google: "at most the time permitted by the underlying HTTP/RPC protocol").
   */
  async wait(name: string, timeoutMs: number | undefined): Promise<JsonObject> {
    const record = this.get(name);
    const waitMs = Math.min(record.dueTime - Date.now(), timeoutMs ?? MAX_WAIT_MS, MAX_WAIT_MS);
    if (!record.done && waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    return this.toJson(this.get(name));
  }

  /**
   * ListOperations: the operations named `UNDER/operations/…` (of one API when `api` is given),
   * newest first, in pages; `filter` may be `done=true` or `done=false` (nothing else is emulated).
   */
  list(request: { under: string; api?: string; filter: string; pageSize: number; pageToken: string }): JsonObject {
    this.settleDue();
    const done = parseDoneFilter(request.filter);
    const prefix = `${request.under}/operations/`;
    const matching = Object.values(this.store.data.operations)
      .filter((record) => record.name.startsWith(prefix) && (!request.api || record.api === request.api))
      .filter((record) => done === undefined || record.done === done)
      .sort((a, b) => b.createTime - a.createTime || a.name.localeCompare(b.name));
    const page = paginate(matching, request.pageSize, request.pageToken, { defaultSize: 100, maxSize: 1000 });
    return {
      operations: page.items.map((record) => this.toJson(record)),
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
    };
  }

  /** google.longrunning.Operation as proto3 JSON. */
  toJson(record: OperationRecord): JsonObject {
    const json: JsonObject = { name: record.name };
    if (record.metadata) json.metadata = record.metadata;
    if (record.done) {
      json.done = true;
      if (record.error) json.error = record.error as unknown as JsonObject;
      else if (record.response) json.response = record.response;
    }
    return json;
  }
}
