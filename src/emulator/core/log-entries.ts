// The emulator's Cloud Logging storage: every LogEntry the emulated services write (Cloud Run
// system events, Cloud Build output, injected container lines), as proto3 JSON in the state so a
// `--state` file keeps them. APIs write through `services.logs`; apis/logging.ts reads them.
// Google keeps entries for the bucket's retention period; the emulator keeps the newest
// MAX_ENTRIES (oldest dropped first) so a long rehearsal cannot grow the state file without bound.
import { randomInt } from 'node:crypto';
import { cloneJson, type JsonObject } from './json.js';
import type { StateStore } from './state.js';

export const LOG_ENTRIES_COLLECTION = 'logging.entries';
export const MAX_ENTRIES = 20_000;

const INSERT_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random insertId shaped like the ones Cloud Logging assigns (e.g. `8xxs9pcgp8`). */
export function newInsertId(length = 10): string {
  let id = '';
  for (let i = 0; i < length; i++) id += INSERT_ID_ALPHABET[randomInt(INSERT_ID_ALPHABET.length)];
  return id;
}

export class LogEntryStore {
  private counter = 0;
  /** The last millisecond handed out by `clock` (see there). */
  private lastTick = 0;

  constructor(private readonly store: StateStore) {}

  private records(): Record<string, unknown> {
    return (this.store.data.collections[LOG_ENTRIES_COLLECTION] ??= {});
  }

  /**
   * Stores entries as given (LogEntry proto3 JSON with at least `logName`, `resource`, `timestamp`).
   * A missing `insertId` is assigned; `receiveTimestamp` is the moment of writing unless given.
   * Returns copies of what was stored.
   */
  write(entries: JsonObject[], now = Date.now()): JsonObject[] {
    const written: JsonObject[] = [];
    if (entries.length === 0) return written;
    const records = this.records();
    for (const entry of entries) {
      const stored = cloneJson(entry);
      if (typeof stored.insertId !== 'string' || stored.insertId === '') stored.insertId = newInsertId();
      if (typeof stored.receiveTimestamp !== 'string') stored.receiveTimestamp = new Date(now).toISOString();
      // Keys keep insertion order (they never look like integers), which is the drop order.
      records[`${now.toString(36)}.${(this.counter++).toString(36)}.${String(stored.insertId)}`] = stored;
      written.push(cloneJson(stored));
    }
    const keys = Object.keys(records);
    for (const key of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) delete records[key];
    this.store.markDirty();
    return written;
  }

  /**
   * The start time for `count` lines written "now", 1 ms apart: never before the previous call's
   * last line, so two writes in the same millisecond still read back in the order written
   * (Cloud Run's agent stamps lines in the order the container printed them).
   */
  clock(count: number, now = Date.now()): number {
    const start = Math.max(now, this.lastTick + 1);
    this.lastTick = start + Math.max(0, count - 1);
    return start;
  }

  /** Every stored entry (copies), in the order written. */
  all(): JsonObject[] {
    return Object.values(this.records()).map((entry) => cloneJson(entry as JsonObject));
  }
}
