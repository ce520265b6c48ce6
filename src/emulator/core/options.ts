// Emulator options, their validation, and the `--faults` syntax. Kept free of heavy imports:
// src/emulator/index.ts re-exports it and must stay cheap to import.
import { isCodeName, type CodeName } from './errors.js';

export interface EmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Added to every call, ms. */
  latencyMs?: number;
  /** How long a long-running operation stays `done: false`, ms (default 0: done at the first poll). */
  operationDelayMs?: number;
  /** How long a new service account stays invisible to IAM policy members, ms. */
  iamPropagationDelayMs?: number;
  /** `METHOD=CODE:RATE[,…]`, see `parseFaultSpec`. */
  faults?: string;
  /** Seed for fault injection; the same seed and the same calls inject the same faults. */
  seed?: number;
  /** IAM permissions the emulated caller lacks, e.g. `run.services.create`. */
  deny?: string[];
  /** Append one JSON line per call to this file. */
  requestLogFile?: string;
  /** Load state from this file at start and save it after every call that changed it. */
  stateFile?: string;
}

export interface FaultRule {
  /** Method pattern with `*` wildcards, matched against the full RPC name and the short name. */
  pattern: string;
  /** An error code, or `RESET`: the connection is dropped without an answer. */
  code: CodeName | 'RESET';
  /** Probability in [0, 1]. */
  rate: number;
  /**
   * `before` (default): the call fails and changes nothing. `after`: the call is carried out (its
   * change is made and saved), then its reply is lost — as when Google applied a write and a 503,
   * a 504 or a reset connection reached the caller instead of the answer.
   */
  when: 'before' | 'after';
}

export interface ResolvedOptions {
  port: number;
  latencyMs: number;
  operationDelayMs: number;
  iamPropagationDelayMs: number;
  faults: FaultRule[];
  seed: number;
  deny: ReadonlySet<string>;
  requestLogFile?: string;
  stateFile?: string;
}

const FAULT_ENTRY = /^([A-Za-z0-9_.*/-]+)=(?:(after):)?([A-Z_]+):([0-9]*\.?[0-9]+)$/;
/** `service.resource.verb`, or the `iam.googleapis.com/resource.verb` form some IAM permissions have. */
const PERMISSION = /^([a-zA-Z0-9-]+(\.[a-zA-Z0-9]+){2,}|[a-z0-9-]+(\.[a-z0-9-]+)*\.googleapis\.com\/[a-zA-Z0-9]+\.[a-zA-Z0-9]+)$/;

/**
 * Parses `METHOD=[after:]CODE:RATE[,…]`, e.g.
 * `*=UNAVAILABLE:0.2,run.CreateService=RESOURCE_EXHAUSTED:0.1,secretmanager.AddSecretVersion=after:RESET:1`.
 * METHOD matches a full RPC name (`google.cloud.run.v2.Services/CreateService`) or a short name
 * (`run.CreateService`: the API's short name, a dot, the method), `*` matching any characters.
 * CODE is a google.rpc.Code name other than OK, or RESET (the connection is dropped); RATE a
 * probability between 0 and 1. `after:` carries the call out first and then loses its reply.
 */
export function parseFaultSpec(spec: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const rawEntry of spec.split(',')) {
    const entry = rawEntry.trim();
    if (entry === '') continue;
    const match = FAULT_ENTRY.exec(entry);
    if (!match) {
      throw new Error(`invalid --faults entry "${entry}": expected METHOD=CODE:RATE, e.g. run.CreateService=UNAVAILABLE:0.5`);
    }
    const [, pattern, after, code, rateText] = match as unknown as [string, string, string | undefined, string, string];
    if (code !== 'RESET' && (!isCodeName(code) || code === 'OK')) {
      throw new Error(
        `invalid --faults entry "${entry}": ${code} is not an error code (use a google.rpc.Code name such as UNAVAILABLE, or RESET)`,
      );
    }
    const rate = Number(rateText);
    if (!(rate >= 0 && rate <= 1)) throw new Error(`invalid --faults entry "${entry}": rate must be between 0 and 1`);
    rules.push({ pattern, code, rate, when: after ? 'after' : 'before' });
  }
  return rules;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`invalid ${name}: ${String(value)} (expected a number of milliseconds ≥ 0)`);
  }
  return value;
}

/** Checks options and fills defaults; throws an Error with a message fit for a CLI user. */
export function validateEmulatorOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${String(options.port)} (expected 0–65535)`);
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw new Error(`invalid seed: ${String(options.seed)} (expected an integer)`);
  }
  for (const permission of options.deny ?? []) {
    if (!PERMISSION.test(permission)) {
      throw new Error(`invalid --deny permission "${permission}" (expected service.resource.verb, e.g. run.services.create)`);
    }
  }
  return {
    port,
    latencyMs: nonNegative('latency', options.latencyMs, 0),
    operationDelayMs: nonNegative('operation delay', options.operationDelayMs, 0),
    iamPropagationDelayMs: nonNegative('IAM propagation delay', options.iamPropagationDelayMs, 0),
    faults: parseFaultSpec(options.faults ?? ''),
    seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
    deny: new Set(options.deny ?? []),
    ...(options.requestLogFile ? { requestLogFile: options.requestLogFile } : {}),
    ...(options.stateFile ? { stateFile: options.stateFile } : {}),
  };
}
