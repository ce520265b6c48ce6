// The emulator's whole state: plain JSON, so it can be saved to `--state FILE` after every call
// that changed it and loaded by the next emulator process started on the same file.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * A `--state` file the emulator cannot use: what the path is, what is wrong with it, and what to
 * do (the CLI shows `message` and `hint` and exits 2). The wording is ours.
 */
export class EmulatorStateError extends Error {
  constructor(
    readonly file: string,
    problem: string,
    readonly hint: string,
  ) {
    super(`the emulator state file ${file} ${problem}`);
    this.name = 'EmulatorStateError';
  }
}

const REPLACE_HINT = 'move it away (the emulator then starts empty and writes a new one), or point --state at another file';

function readStateFile(file: string): StateData {
  let text: string;
  try {
    if (statSync(file).isDirectory())
      throw new EmulatorStateError(file, 'is a folder, not a file', 'point --state at a file, e.g. emulator-state.json');
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof EmulatorStateError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new EmulatorStateError(
      file,
      code === 'EACCES' || code === 'EPERM'
        ? 'cannot be read with your permissions'
        : `cannot be read (${code ?? (error as Error).message})`,
      'fix its permissions, or point --state at another file',
    );
  }
  if (text.trim() === '') throw new EmulatorStateError(file, 'is empty', REPLACE_HINT);
  let loaded: unknown;
  try {
    loaded = JSON.parse(text);
  } catch {
    throw new EmulatorStateError(file, 'is not valid JSON (cut short, or not a state file)', REPLACE_HINT);
  }
  const record = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!record(loaded)) throw new EmulatorStateError(file, 'is not an emulator state file (not a JSON object)', REPLACE_HINT);
  const data = loaded as Record<string, unknown>;
  if (data.formatVersion !== 1) {
    throw new EmulatorStateError(
      file,
      `has state format ${JSON.stringify(data.formatVersion ?? null)}; this emulator reads format 1`,
      `use the atlantis-run that wrote it, or ${REPLACE_HINT}`,
    );
  }
  for (const key of ['projects', 'operations', 'iamPolicies', 'collections'] as const) {
    if (data[key] !== undefined && !record(data[key])) {
      throw new EmulatorStateError(file, `is damaged: "${key}" is ${JSON.stringify(data[key])}, not an object`, REPLACE_HINT);
    }
  }
  for (const [name, records] of Object.entries((data.collections ?? {}) as Record<string, unknown>)) {
    if (!record(records)) throw new EmulatorStateError(file, `is damaged: collection "${name}" is not an object`, REPLACE_HINT);
  }
  return { ...emptyState(), ...(data as Partial<StateData>) };
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

  /** Loads `file` if it exists (or starts empty); with no file, state lives in memory only. Throws EmulatorStateError on a file it cannot use. */
  static open(file?: string): StateStore {
    if (file && existsSync(file)) return new StateStore(readStateFile(file), file);
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
    // The state holds secret payloads: the user's only (0600, a new folder 0700), whatever the umask.
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.data, null, 1)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.file);
    this.dirty = false;
  }

  snapshot(): StateData {
    return cloneJson(this.data);
  }
}
