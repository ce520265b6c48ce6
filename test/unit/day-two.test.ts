// The pure parts of the day-two commands: Atlantis version order and filtering, the edit of
// atlantis.version that keeps the file as written, the Logging filter and the rendering of
// Atlantis's JSON lines, and the choice of the revision a rollback goes to.
import { describe, expect, it } from 'vitest';
import { compareVersions, newerVersions, parseAtlantisTag, releaseNotesUrl } from '../../src/atlantis/versions.js';
import { setAtlantisVersion } from '../../src/config/edit.js';
import { formatEntry, logsFilter, parseSeverity, parseSince, severityOf } from '../../src/deployment/logs.js';
import { previousReady } from '../../src/cloudrun/traffic.js';
import { UsageError } from '../../src/errors.js';

const v = (tag: string) => parseAtlantisTag(tag)!;

describe('Atlantis versions', () => {
  it('parses release, pre-release and flavour tags, and nothing else', () => {
    expect(v('v0.47.1')).toMatchObject({ major: 0, minor: 47, patch: 1, prerelease: undefined, flavour: undefined });
    expect(v('v0.23.0-pre.20230222')).toMatchObject({ minor: 23, prerelease: 'pre.20230222' });
    expect(v('v0.47.1-debian')).toMatchObject({ patch: 1, prerelease: undefined, flavour: 'debian' });
    expect(v('v0.19.2-pre.20220408-alpine')).toMatchObject({ prerelease: 'pre.20220408', flavour: 'alpine' });
    for (const tag of ['latest', 'dev', 'v0.47', 'prerelease-latest', 'dev-alpine-abc123']) expect(parseAtlantisTag(tag)).toBeUndefined();
  });

  it('orders by semantic version: a release above its pre-releases, numeric parts as numbers', () => {
    const sorted = ['v0.17.0', 'v0.17.0-beta', 'v0.9.0', 'v0.23.0-pre.20230125', 'v0.23.0-pre.20230209', 'v0.23.0', 'v0.10.1']
      .map(v)
      .sort(compareVersions)
      .map((x) => x.tag);
    expect(sorted).toEqual(['v0.9.0', 'v0.10.1', 'v0.17.0-beta', 'v0.17.0', 'v0.23.0-pre.20230125', 'v0.23.0-pre.20230209', 'v0.23.0']);
  });

  it('lists newer versions of the same flavour, newest first, pre-releases only when asked, each with its release notes', () => {
    const tags = ['latest', 'v0.46.0', 'v0.47.0', 'v0.47.1', 'v0.47.1-debian', 'v0.48.0-pre.20260901', 'v0.48.0', 'v0.49.0-pre.20261001'];
    expect(newerVersions(tags, v('v0.47.0'), { pre: false })).toEqual([
      { tag: 'v0.48.0', prerelease: false, releaseNotes: 'https://github.com/runatlantis/atlantis/releases/tag/v0.48.0' },
      { tag: 'v0.47.1', prerelease: false, releaseNotes: 'https://github.com/runatlantis/atlantis/releases/tag/v0.47.1' },
    ]);
    expect(newerVersions(tags, v('v0.47.0'), { pre: true }).map((x) => x.tag)).toEqual([
      'v0.49.0-pre.20261001',
      'v0.48.0',
      'v0.48.0-pre.20260901',
      'v0.47.1',
    ]);
    expect(newerVersions(tags, v('v0.46.0-debian'), { pre: false }).map((x) => x.tag)).toEqual(['v0.47.1-debian']);
    expect(releaseNotesUrl(v('v0.47.1-debian'))).toBe('https://github.com/runatlantis/atlantis/releases/tag/v0.47.1');
  });
});

describe('setAtlantisVersion', () => {
  const FILE = `# yaml-language-server: $schema=./node_modules/atlantis-run/schema/atlantis-run.schema.json
# Atlantis for acme: keep this comment

project: my-project     # the sandbox
region: europe-west1
atlantis:
  # pinned until the migration is done
  version: v0.46.0   # see the release notes first
  repoAllowlist: ["github.com/acme/*"]
  vcs: {provider: github, user: atlantis-bot}
secrets:
  vcs-token: {fromEnv: GITHUB_TOKEN}
`;

  it('changes only the value, keeping comments, blank lines, order and flow style byte for byte', async () => {
    const edited = await setAtlantisVersion(FILE, 'v0.48.0');
    expect(edited).toBe(FILE.replace('version: v0.46.0   #', 'version: v0.48.0   #'));
  });

  it('keeps the quoting the version was written with', async () => {
    expect(await setAtlantisVersion(FILE.replace('v0.46.0', '"v0.46.0"'), 'v0.48.0')).toContain('version: "v0.48.0"   #');
    expect(await setAtlantisVersion(FILE.replace('v0.46.0', "'v0.46.0'"), 'v0.48.0')).toContain("version: 'v0.48.0'   #");
  });

  it('adds the key under atlantis:, indented like its siblings, when the file relied on the default', async () => {
    const without = FILE.replace('  version: v0.46.0   # see the release notes first\n', '');
    const edited = await setAtlantisVersion(without, 'v0.48.0');
    // Right above the first key, below a comment that belongs to that key.
    expect(edited).toBe(without.replace('  repoAllowlist:', '  version: v0.48.0\n  repoAllowlist:'));
  });

  it('sets it through the Document API in a flow mapping, and refuses nothing it can keep', async () => {
    const flow = 'project: p\nregion: europe-west1\natlantis: {repoAllowlist: ["github.com/a/*"], vcs: {provider: github, user: bot}}\n';
    const edited = await setAtlantisVersion(flow, 'v0.48.0');
    const { parse } = await import('yaml');
    expect(parse(edited)).toEqual({ ...parse(flow), atlantis: { ...parse(flow).atlantis, version: 'v0.48.0' } });
  });
});

describe('logs', () => {
  const config = { project: 'my-project', region: 'europe-west1', service: 'atlantis' };
  const since = new Date('2026-08-20T10:00:00Z');

  it('parses --since as a duration back from now or as a time, and refuses anything else with exit 2', () => {
    const now = Date.parse('2026-08-22T12:00:00Z');
    expect(parseSince('90m', now).toISOString()).toBe('2026-08-22T10:30:00.000Z');
    expect(parseSince('2d', now).toISOString()).toBe('2026-08-20T12:00:00.000Z');
    expect(parseSince('2026-08-20T10:00:00Z', now).toISOString()).toBe('2026-08-20T10:00:00.000Z');
    for (const bad of ['yesterday', '1 hour', '-1h', '2026-13-45', '1y'])
      expect(() => parseSince(bad, now), bad).toThrow(
        expect.objectContaining({ exitCode: 2, message: expect.stringContaining('--since') }),
      );
    expect(() => parseSince('2027-01-01', now)).toThrow(/in the future/);
  });

  it('takes Logging severities and Atlantis levels', () => {
    expect(parseSeverity('warning')).toBe('WARNING');
    expect(parseSeverity('warn')).toBe('WARNING');
    expect(parseSeverity('ERROR')).toBe('ERROR');
    expect(() => parseSeverity('loud')).toThrow(UsageError);
  });

  it('filters on the service, its logs, the time, the revision, and severity or Atlantis level', () => {
    const filter = logsFilter(config, { since, severity: 'WARNING', revision: 'atlantis-00002-abc', limit: 10 });
    expect(filter.split('\n')).toEqual([
      'resource.type="cloud_run_revision"',
      'resource.labels.service_name="atlantis"',
      'resource.labels.location="europe-west1"',
      'logName=("projects/my-project/logs/run.googleapis.com%2Fstdout" OR "projects/my-project/logs/run.googleapis.com%2Fstderr" OR "projects/my-project/logs/run.googleapis.com%2Fvarlog%2Fsystem" OR "projects/my-project/logs/cloudaudit.googleapis.com%2Fsystem_event")',
      'timestamp>="2026-08-20T10:00:00.000Z"',
      'resource.labels.revision_name="atlantis-00002-abc"',
      '(severity>=WARNING OR jsonPayload.level=("warn" OR "error" OR "dpanic" OR "panic" OR "fatal"))',
    ]);
  });

  it("renders Atlantis's zap lines: level as severity, message, fields, caller", () => {
    const entry = {
      timestamp: '2026-08-22T10:00:01.123456Z',
      resource: { type: 'cloud_run_revision', labels: { revision_name: 'atlantis-00002-abc' } },
      jsonPayload: {
        level: 'warn',
        ts: '2026-08-22T10:00:01.123Z',
        caller: 'events/command_runner.go:212',
        msg: 'lock held by another pull request',
        json: { repo: 'acme/infra', pull: '12' },
        stacktrace: 'goroutine 1 …',
      },
    };
    expect(severityOf(entry)).toBe('WARNING');
    expect(formatEntry(entry)).toBe(
      '2026-08-22 10:00:01.123Z  WARNING  atlantis-00002-abc  lock held by another pull request  repo=acme/infra pull=12  (events/command_runner.go:212)',
    );
    const event = {
      timestamp: '2026-08-22T10:00:02Z',
      severity: 'ERROR',
      resource: { labels: { revision_name: '' } },
      protoPayload: { status: { message: 'Ready condition status changed to False for Service atlantis.' } },
    };
    expect(formatEntry(event)).toBe(
      '2026-08-22 10:00:02Z  ERROR    service  Ready condition status changed to False for Service atlantis.',
    );
  });
});

describe('rollback target', () => {
  const revision = (name: string, minutes: number, ready: boolean) => ({
    name: `projects/p/locations/r/services/atlantis/revisions/${name}`,
    createTime: new Date(Date.UTC(2026, 7, 22, 10, minutes)).toISOString(),
    conditions: [{ type: 'Ready', state: ready ? 'CONDITION_SUCCEEDED' : 'CONDITION_FAILED' }],
  });

  it('is the newest ready revision older than the one serving, skipping failed ones', () => {
    const revisions = [
      revision('atlantis-00001-a', 1, true),
      revision('atlantis-00002-b', 2, false),
      revision('atlantis-00003-c', 3, true),
    ];
    expect(previousReady(revisions, 'atlantis-00003-c')?.name).toMatch(/atlantis-00001-a$/);
    expect(previousReady(revisions, 'atlantis-00001-a')).toBeUndefined();
  });
});
