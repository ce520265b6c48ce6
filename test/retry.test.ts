import { describe, expect, it } from 'vitest';
import { GcpError } from '../src/gcp/errors.js';
import { isEtagConflict, isIamPropagation, isRateLimited, isUnavailable, TRANSIENT, withRetry } from '../src/gcp/retry.js';

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
