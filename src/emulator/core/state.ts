// The emulator's whole state: plain JSON, so it can be saved to `--state FILE` after every call
// that changed it and loaded by the next emulator process started on the same file.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cloneJson } from './json.js';
import type { OperationRecord } from './operations.js';
import type { PolicyRecord } from './iam-policy.js';
import type { ProjectRecord } from './projects.js';

export interface StateData {
  formatVersion: 1;
  /** Projects seen so far, by project id. */
  projects: Record<string, ProjectRecord>;
  /** Long-running operations of every API, by operation name. */
  operations: Record<string, OperationRecord>;
  /** IAM policies, by canonical resource name (e.g. `projects/123456789012`). */
  iamPolicies: Record<string, PolicyRecord>;
  /** Each API's resources, by collection name (`iam.serviceAccounts`, `run.services`, …) then key. */
  collections: Record<string, Record<string, unknown>>;
}

function emptyState(): StateData {
  return { formatVersion: 1, projects: {}, operations: {}, iamPolicies: {}, collections: {} };
}

/** A keyed set of JSON records in the state (one per resource kind). */
export class Collection<T> {
  constructor(
    private readonly records: Record<string, unknown>,
    private readonly onChange: () => void,
  ) {}

  get(key: string): T | undefined {
    return this.records[key] as T | undefined;
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.records, key);
  }

  set(key: string, value: T): void {
    this.records[key] = value;
    this.onChange();
  }

  delete(key: string): boolean {
    if (!this.has(key)) return false;
    delete this.records[key];
    this.onChange();
    return true;
  }

  values(): T[] {
    return Object.values(this.records) as T[];
  }

  entries(): Array<[string, T]> {
    return Object.entries(this.records) as Array<[string, T]>;
  }
}

export class StateStore {
  private dirty = false;

  private constructor(
    readonly data: StateData,
    private readonly file: string | undefined,
  ) {}

  /** Loads `file` if it exists (or starts empty); with no file, state lives in memory only. */
  static open(file?: string): StateStore {
    if (file && existsSync(file)) {
      let loaded: Partial<StateData>;
      try {
        loaded = JSON.parse(readFileSync(file, 'utf8')) as Partial<StateData>;
      } catch (error) {
        throw new Error(`${file} is not an emulator state file: ${(error as Error).message}`);
      }
      if (loaded.formatVersion !== 1) throw new Error(`${file}: unsupported emulator state format ${String(loaded.formatVersion)}`);
      return new StateStore({ ...emptyState(), ...loaded }, file);
    }
    return new StateStore(emptyState(), file);
  }

  collection<T>(name: string): Collection<T> {
    const records = (this.data.collections[name] ??= {});
    return new Collection<T>(records, () => this.markDirty());
  }

  /** Call after changing `data` directly (collections call it themselves). */
  markDirty(): void {
    this.dirty = true;
  }

  /** Writes the state if it changed since the last save: temp file + rename, so a reader never sees half a file. */
  saveIfDirty(): void {
    if (!this.dirty || !this.file) {
      this.dirty = false;
      return;
    }
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.data, null, 1)}\n`);
    renameSync(temporary, this.file);
    this.dirty = false;
  }

  snapshot(): StateData {
    return cloneJson(this.data);
  }
}
