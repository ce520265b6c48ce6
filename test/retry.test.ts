import { describe, expect, it } from 'vitest';
import { ApiCaller } from '../src/gcp/call.js';
import { GcpError, toGcpError } from '../src/gcp/errors.js';
import {
  IDEMPOTENT_READ,
  isEtagConflict,
  isIamPropagation,
  isInternal,
  isRateLimited,
  isUnavailable,
  MAYBE_APPLIED,
  TRANSIENT,
  withRetry,
} from '../src/gcp/retry.js';
import { DebugLog } from '../src/util/debug-log.js';

const err = (code: GcpError['code'], message = 'x') => new GcpError(code, message);

describe('retry predicates', () => {
  it('recognise each retryable case and nothing else', () => {
    expect(isRateLimited(err('RESOURCE_EXHAUSTED'))).toBe(true);
    expect(isUnavailable(err('UNAVAILABLE'))).toBe(true);
    expect(isIamPropagation(err('INVALID_ARGUMENT', 'Service account atlantis-runtime@p.iam.gserviceaccount.com does not exist.'))).toBe(
      true,
    );
    expect(isIamPropagation(err('NOT_FOUND', 'Service account x not found'))).toBe(true);
    expect(isIamPropagation(err('INVALID_ARGUMENT', 'Invalid memory limit'))).toBe(false);
    expect(isIamPropagation(err('NOT_FOUND', 'Secret [x] not found'))).toBe(false);
    expect(isEtagConflict(err('ABORTED', 'There were concurrent policy changes.'))).toBe(true);
    expect(isEtagConflict(err('FAILED_PRECONDITION', 'etag mismatch'))).toBe(true);
    for (const code of ['NOT_FOUND', 'PERMISSION_DENIED', 'INVALID_ARGUMENT', 'ALREADY_EXISTS'] as const) {
      expect([isRateLimited, isUnavailable, isEtagConflict].some((p) => p(err(code)))).toBe(false);
    }
  });
});

describe('withRetry', () => {
  it('retries what the predicates name, then succeeds', async () => {
    let calls = 0;
    const retried: string[] = [];
    const value = await withRetry(
      async () => {
        calls++;
        if (calls === 1) throw Object.assign(new Error('14 UNAVAILABLE: try later'), { code: 14, details: 'try later' });
        if (calls === 2) throw err('ABORTED', 'There were concurrent policy changes.');
        return 'ok';
      },
      { predicates: [...TRANSIENT, isEtagConflict], minDelayMs: 1, onRetry: (e) => retried.push(e.code) },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    expect(retried).toEqual(['UNAVAILABLE', 'ABORTED']);
  });

  it('does not retry other errors, and rethrows them normalised', async () => {
    let calls = 0;
    const failure = await withRetry(
      async () => {
        calls++;
        throw Object.assign(new Error('7 PERMISSION_DENIED: denied'), { code: 7, details: 'denied' });
      },
      { minDelayMs: 1 },
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(failure).toBeInstanceOf(GcpError);
    expect((failure as GcpError).code).toBe('PERMISSION_DENIED');
  });

  it('gives up after the retry budget with the last error', async () => {
    let calls = 0;
    const failure = await withRetry(
      async () => {
        calls++;
        throw err('UNAVAILABLE', `attempt ${calls}`);
      },
      { retries: 2, minDelayMs: 1 },
    ).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect((failure as GcpError).message).toBe('attempt 3');
  });

  it('passes non-API errors (bugs) straight through', async () => {
    const bug = new TypeError('boom');
    await expect(withRetry(async () => Promise.reject(bug), { minDelayMs: 1 })).rejects.toBe(bug);
  });
});

describe('ApiCaller: reads, and writes whose reply may be lost', () => {
  const caller = () => new ApiCaller(DebugLog.disabled(), undefined, undefined, { retryBaseMs: 1, pollMs: 1 });

  it('retries reads on INTERNAL and ABORTED, writes only on what is transient', async () => {
    for (const code of ['INTERNAL', 'ABORTED'] as const) {
      let calls = 0;
      const value = await caller().run({ api: 'x', method: 'Get' }, async () => {
        if (++calls === 1) throw err(code);
        return 'read';
      });
      expect(value).toBe('read');
      let writes = 0;
      const failure = await caller()
        .run({ api: 'x', method: 'Set', mutating: true }, async () => {
          writes++;
          throw err(code);
        })
        .catch((e: unknown) => e);
      expect((failure as GcpError).code).toBe(code);
      expect(writes).toBe(1);
    }
  });

  it('asks whether a write happened before sending it again, and takes what it finds', async () => {
    let sent = 0;
    let asked = 0;
    const value = await caller().run(
      { api: 'x', method: 'Add', mutating: true, retry: MAYBE_APPLIED },
      async () => {
        sent++;
        throw err('UNAVAILABLE');
      },
      async () => {
        asked++;
        return 'version-7';
      },
    );
    expect(value).toBe('version-7');
    expect([sent, asked]).toEqual([1, 1]);
  });

  it('reads a reset or refused connection as UNAVAILABLE (retryable), not as a bug', () => {
    const reset = toGcpError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })) as GcpError;
    expect(reset).toBeInstanceOf(GcpError);
    expect([reset.code, reset.reason]).toEqual(['UNAVAILABLE', 'ECONNRESET']);
    expect(isInternal(err('INTERNAL'))).toBe(true);
    expect(IDEMPOTENT_READ.some((p) => p(err('ABORTED')))).toBe(true);
  });
});
