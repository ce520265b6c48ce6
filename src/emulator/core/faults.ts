// Fault injection for `--faults`. Each decision is a pure function of (seed, rule, method, how
// many calls of that method came before), so a run with the same seed and the same calls fails
// the same calls, even when calls of different methods interleave differently. A rule fails a
// call before it is carried out, or (`after:`) once it is carried out — the reply is lost — and
// fails it with a code or with a dropped connection (`RESET`).
import { ApiError, type CodeName } from './errors.js';
import type { FaultRule } from './options.js';

/** Canonical messages Google's front end uses for these codes. */
const FAULT_MESSAGES: Partial<Record<CodeName, string>> = {
  UNAVAILABLE: 'The service is currently unavailable.',
  RESOURCE_EXHAUSTED: 'Resource has been exhausted (e.g. check quota).',
  INTERNAL: 'Internal error encountered.',
  DEADLINE_EXCEEDED: 'The request was aborted because it exceeded its deadline.',
  ABORTED: 'The operation was aborted.',
  UNKNOWN: 'Unknown error.',
  PERMISSION_DENIED: 'The caller does not have permission',
  UNAUTHENTICATED: 'Request had invalid authentication credentials.',
  NOT_FOUND: 'Requested entity was not found.',
  INVALID_ARGUMENT: 'Request contains an invalid argument.',
  FAILED_PRECONDITION: 'Precondition check failed.',
  ALREADY_EXISTS: 'Requested entity already exists.',
};

/**
 * A connection dropped without an answer. REST destroys the socket (the client sees a reset); gRPC,
 * whose calls share one connection, answers the status grpc-js gives a call whose connection
 * dropped (UNAVAILABLE "Connection dropped", subchannel-call.js) rather than failing every call
 * on the channel.
 */
export class DroppedConnection extends ApiError {
  constructor() {
    super('UNAVAILABLE', 'Connection dropped');
    this.name = 'DroppedConnection';
  }
}

/** What the faults decided for one call: an error to throw before carrying it out, or after. */
export interface FaultDecision {
  before?: ApiError;
  after?: ApiError;
}

function faultError(code: FaultRule['code']): ApiError {
  return code === 'RESET' ? new DroppedConnection() : new ApiError(code, FAULT_MESSAGES[code] ?? `Injected ${code}.`);
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** 32-bit FNV-1a followed by a murmur3 finaliser: cheap, well mixed, deterministic. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class FaultInjector {
  private readonly matchers: Array<{ rule: FaultRule; regex: RegExp }>;
  private readonly callCounts = new Map<string, number>();

  constructor(
    rules: FaultRule[],
    private readonly seed: number,
  ) {
    this.matchers = rules.map((rule) => ({ rule, regex: globToRegExp(rule.pattern) }));
  }

  /**
   * Decides the faults of one call. Rules are tried in the order given; each matching rule rolls
   * its own die, and the first that fires wins (for `before` and `after` rules separately).
   */
  decide(rpcName: string, shortName: string): FaultDecision {
    if (this.matchers.length === 0) return {};
    const callIndex = this.callCounts.get(rpcName) ?? 0;
    this.callCounts.set(rpcName, callIndex + 1);
    const dotted = rpcName.replace('/', '.');
    const decision: FaultDecision = {};
    for (const [ruleIndex, { rule, regex }] of this.matchers.entries()) {
      if (decision[rule.when]) continue;
      if (!regex.test(rpcName) && !regex.test(shortName) && !regex.test(dotted)) continue;
      const roll = hash32(`${this.seed}|${ruleIndex}|${rpcName}|${callIndex}`) / 2 ** 32;
      if (roll < rule.rate) decision[rule.when] = faultError(rule.code);
    }
    return decision;
  }
}
