// A debug log of every run: events, API requests and their outcome, errors with stacks — JSON
// lines, secret values redacted. Its path is printed when a command fails (firebase-debug.log,
// the thing Copilot users asked for). Written synchronously so a killed run still leaves it.
import { appendFileSync, chmodSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { redact } from './redact.js';

const KEEP = 30;

export class DebugLog {
  readonly path: string | undefined;

  private constructor(file: string | undefined) {
    this.path = file;
  }

  /** A log under `<stateDir>/logs/`, pruning old ones. */
  static create(stateDir: string, command: string): DebugLog {
    const dir = path.join(stateDir, 'logs');
    try {
      // Logs describe the run (names, calls, errors): the user's only, whatever the umask.
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      prune(dir);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      return new DebugLog(path.join(dir, `${stamp}-${command.replace(/\s+/g, '-')}-${process.pid}.log`));
    } catch {
      return new DebugLog(undefined); // a read-only folder must not stop the command
    }
  }

  static disabled(): DebugLog {
    return new DebugLog(undefined);
  }

  write(kind: string, data: Record<string, unknown> = {}): void {
    if (!this.path) return;
    try {
      const line = JSON.stringify({ time: new Date().toISOString(), entry: kind, ...data }, replacer);
      appendFileSync(this.path, `${redact(line)}\n`, { mode: 0o600 });
    } catch {
      /* logging never breaks a run */
    }
  }
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  return value;
}

function prune(dir: string): void {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  for (const f of files.slice(0, Math.max(0, files.length - KEEP + 1))) {
    try {
      unlinkSync(path.join(dir, f));
    } catch {
      /* ignore */
    }
  }
}
