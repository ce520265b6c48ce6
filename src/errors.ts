// The error types every layer throws, and the exit codes they map to (README.md and ARCHITECTURE.md, "Exit codes").
// The CLI's central handler is the only place that turns these into text and an exit status.

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  locked: 3,
  changes: 4,
  /** The user answered no to a confirmation: nothing was changed. */
  declined: 5,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorOptions {
  /** One line telling the user how to fix or investigate it. */
  hint?: string;
  cause?: unknown;
}

/** Base class: `message` reads as "what happened: why". */
export class AtlantisRunError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint?: string;

  constructor(message: string, exitCode: ExitCodeValue, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    if (options.hint !== undefined) this.hint = options.hint;
  }
}

/** Bad flags, arguments or answers: nothing was changed. Exit 2. */
export class UsageError extends AtlantisRunError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, ExitCode.usage, options);
  }
}

/** Invalid configuration; `path` is the dotted location in atlantis-run.yaml (or the flag). Exit 2. */
export class ConfigError extends UsageError {
  readonly path: string;
  constructor(path: string, problem: string, options: ErrorOptions = {}) {
    super(path ? `${path}: ${problem}` : problem, options);
    this.path = path;
  }
}

/** An operation against Google Cloud (or the local machine) failed. Exit 1. */
export class OperationError extends AtlantisRunError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, ExitCode.failed, options);
  }
}

/** Another run holds the lock on the same lockfile. Exit 3. */
export class LockHeldError extends AtlantisRunError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, ExitCode.locked, options);
  }
}

/** The user pressed Ctrl-C (or the process got SIGTERM); what finished was recorded. Exit 130. */
export class InterruptedError extends AtlantisRunError {
  constructor(message = 'interrupted: stopped after the call in flight', options: ErrorOptions = {}) {
    super(message, ExitCode.interrupted, options);
  }
}

export function isAtlantisRunError(err: unknown): err is AtlantisRunError {
  return err instanceof AtlantisRunError;
}
