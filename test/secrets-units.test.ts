// The pure parts of the secrets commands: which versions are disabled, how pins move in a spec, what
// is sent back to Cloud Run, and how possible values on the command line are screened.
import { describe, expect, it } from 'vitest';
import { screenValueArguments } from '../src/cli/value-arguments.js';
import { commands } from '../src/cli/command-table.js';
import { versionsToDisable } from '../src/secrets/prune.js';
import { pinnedVersions, revisionPins, withPinnedVersions, writableService } from '../src/cloudrun/pins.js';
import { redact } from '../src/util/redact.js';
import type { VersionInfo } from '../src/gcp/apis/secret-manager.js';

const v = (version: number, state = 'ENABLED'): VersionInfo => ({
  name: `projects/p/secrets/s/versions/${version}`,
  version: String(version),
  state,
  createTime: undefined,
});

describe('versionsToDisable', () => {
  it('keeps the newest N enabled versions and every version a revision uses', () => {
    const versions = [v(6), v(5), v(4), v(3, 'DISABLED'), v(2), v(1)];
    expect(versionsToDisable(versions, new Set(['1']), 2).map((x) => x.version)).toEqual(['4', '2']);
    expect(versionsToDisable(versions, new Set(['1', '4']), 2).map((x) => x.version)).toEqual(['2']);
    expect(versionsToDisable(versions, new Set(), 10)).toEqual([]);
    // Disabled and destroyed versions are never candidates, and do not count towards N.
    expect(versionsToDisable([v(3), v(2, 'DESTROYED'), v(1)], new Set(), 1).map((x) => x.version)).toEqual(['1']);
  });
});

const service = () => ({
  name: 'projects/p/locations/r/services/atlantis',
  uid: 'u',
  generation: '3',
  etag: '"abc"',
  uri: 'https://x',
  latestReadyRevision: 'projects/p/locations/r/services/atlantis/revisions/atlantis-00003-abc',
  terminalCondition: { state: 'CONDITION_SUCCEEDED' },
  template: {
    revision: 'atlantis-fixed',
    serviceAccount: 'sa@p.iam.gserviceaccount.com',
    containers: [
      {
        image: 'img',
        env: [
          { name: 'A', value: 'x' },
          { name: 'ATLANTIS_GH_TOKEN', valueSource: { secretKeyRef: { secret: 'atlantis-vcs-token', version: '1' } } },
          {
            name: 'ATLANTIS_GH_WEBHOOK_SECRET',
            valueSource: { secretKeyRef: { secret: 'projects/p/secrets/atlantis-webhook-secret', version: '2' } },
          },
        ],
      },
    ],
    volumes: [{ name: 'repo-config', secret: { secret: 'atlantis-repo-config', items: [{ path: 'repos.yaml', version: '4' }] } }],
  },
});

describe('pins', () => {
  it('reads the pins of a template and of revisions', () => {
    expect(pinnedVersions(service())).toEqual({ 'atlantis-vcs-token': '1', 'atlantis-webhook-secret': '2', 'atlantis-repo-config': '4' });
    const pins = revisionPins([
      service().template,
      { containers: [{ env: [{ name: 'GH_TOKEN', valueSource: { secretKeyRef: { secret: 'atlantis-vcs-token', version: '7' } } }] }] },
    ]);
    expect([...pins.get('atlantis-vcs-token')!].sort()).toEqual(['1', '7']);
  });

  it('moves only the given pins and reports secrets the service does not use', () => {
    const live = service();
    const {
      service: next,
      changes,
      unreferenced,
    } = withPinnedVersions(
      live,
      new Map([
        ['atlantis-webhook-secret', '3'],
        ['atlantis-repo-config', '5'],
        ['atlantis-vcs-token', '1'],
        ['atlantis-server-config', '1'],
      ]),
    );
    expect(changes).toEqual([
      { secretId: 'atlantis-webhook-secret', from: '2', to: '3' },
      { secretId: 'atlantis-repo-config', from: '4', to: '5' },
    ]);
    expect(unreferenced).toEqual(['atlantis-server-config']);
    expect(pinnedVersions(next)).toEqual({ 'atlantis-vcs-token': '1', 'atlantis-webhook-secret': '3', 'atlantis-repo-config': '5' });
    // Everything else is untouched, and the live object itself is not modified.
    expect({ ...next, template: undefined }).toEqual({ ...live, template: undefined });
    expect(pinnedVersions(live)['atlantis-webhook-secret']).toBe('2');
  });

  it('sends the live service back without output-only fields or a fixed revision name, keeping the etag', () => {
    const body = writableService(service());
    expect(Object.keys(body).sort()).toEqual(['etag', 'name', 'template']);
    expect(body.template?.revision).toBeUndefined();
    expect(body.template?.serviceAccount).toBe('sa@p.iam.gserviceaccount.com');
  });
});

describe('screenValueArguments', () => {
  const push = commands.find((c) => c.name === 'secrets push')!;

  it('refuses extra arguments and unknown options, registering what may be a value', () => {
    const value = 'ghp_screenedVALUE000000000000000000000001';
    const { input, error } = screenValueArguments(push, { arg: 'vcs-token', options: {}, extra: [value, '--data=' + value + 'X'] });
    expect(input).toEqual({ arg: 'vcs-token', options: {} });
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toContain('an extra argument (not shown), unknown option --data');
    expect(error?.message).not.toContain(value);
    expect(redact(`x ${value} y`)).toBe('x [REDACTED] y');
    expect(redact(`${value}X`)).not.toContain(value);
  });

  it('suggests the option meant, and treats a NAME that does not look like a name as a possible value', () => {
    const { error } = screenValueArguments(push, { arg: '--form-file', options: {}, extra: ['t.txt'] });
    expect(error?.message).toContain('unknown option --form-file (did you mean --from-file?)');
    const odd = 'Sup3r$ecretValue!';
    const screened = screenValueArguments(push, { arg: odd, options: {} });
    expect(screened.error).toBeUndefined();
    expect(screened.input.arg).toBe(odd);
    expect(redact(odd)).toBe('[REDACTED]');
  });
});
