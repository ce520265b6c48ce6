import { afterEach, describe, expect, it } from 'vitest';
import { clearRegisteredSecrets, redact, registerSecret } from '../src/util/redact.js';

afterEach(() => clearRegisteredSecrets());

describe('redact', () => {
  it('removes registered values, their base64 and JSON-escaped forms', () => {
    const canary = 'canary-"quoted"-value-93af';
    registerSecret(canary);
    expect(redact(`token=${canary}`)).toBe('token=[REDACTED]');
    expect(redact(Buffer.from(canary).toString('base64'))).toBe('[REDACTED]');
    expect(redact(JSON.stringify({ v: canary }))).toBe('{"v":"[REDACTED]"}');
  });

  it('removes multi-line keys line by line', () => {
    const pem =
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\nmore-key-material-here-0123456789\n-----END RSA PRIVATE KEY-----';
    registerSecret(pem);
    expect(redact(JSON.stringify(pem))).not.toContain('MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw');
  });

  it('removes credentials recognisable by shape', () => {
    expect(redact('Authorization: Bearer ya29.a0AfB_byC-secret')).not.toContain('a0AfB_byC');
    expect(redact('ghp_abcdefghijklmnopqrstuvwxyz0123456789')).toBe('[REDACTED]');
    expect(redact('{"authorization":"Basic dXNlcjpwYXNz"}')).not.toContain('dXNlcjpwYXNz');
  });

  it('leaves ordinary text alone', () => {
    registerSecret('s3cr3t-value');
    expect(redact('projects/my-project/secrets/atlantis-vcs-token')).toBe('projects/my-project/secrets/atlantis-vcs-token');
  });
});
