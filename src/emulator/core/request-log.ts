// The request log: one entry per call, kept in memory for in-process callers and appended as a
// JSON line to `--request-log FILE` for everyone else.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { CodeName } from './errors.js';

export interface RequestLogEntry {
  /** ms since epoch, when the call arrived. */
  start: number;
  /** ms since epoch, when the answer was ready. */
  end: number;
  transport: 'grpc' | 'rest';
  /** Service name, e.g. `run.googleapis.com`. */
  api: string;
  /** Full RPC name (`google.cloud.run.v2.Services/CreateService`), or a stable synthetic one for REST-only routes. */
  method: string;
  /** The resource the call was about (name, parent, or operation name). */
  resource: string;
  /** google.rpc.Code name; `OK` on success. */
  status: CodeName;
  /** Whether the method is one that changes state (true even when that call failed: filter on status). */
  mutating: boolean;
}

export class RequestLog {
  private readonly entries: RequestLogEntry[] = [];

  constructor(private readonly file?: string) {
    if (file) mkdirSync(path.dirname(file), { recursive: true });
  }

  append(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
  }

  all(): RequestLogEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.entries.length = 0;
  }
}
