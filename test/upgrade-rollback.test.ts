// `atlantis-run upgrade` and `rollback` through the CLI against the project's emulator, over gRPC
// and REST: the versions the registry proxy lists, the edit of atlantis.version that keeps the
// file as written, the plan that names the versions behind the digests, the deploy on confirmation;
// traffic pinned to an older revision with the secret versions it reads enabled, `status` saying
// so, and the next deploy returning to the latest revision. Bad input exits 2 and changes nothing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServicesClient } from '@google-cloud/run';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { publishUpstreamTags } from '../src/emulator/apis/upstream-tags.js';
import { runCli } from './support/cli.js';
import { emulator, emulatorEnv, mutatingCalls, since, TRANSPORTS } from './support/emulator.js';
import { projectDir } from './support/fixtures.js';
import { clientOptions } from './emulator/clients.js';

const SERVICE = 'projects/my-project/locations/europe-west1/services/atlantis';
const TOKEN_VERSION_1 = 'projects/my-project/secrets/atlantis-vcs-token/versions/1';

const CONFIG = `# Atlantis for acme: keep this comment
project: my-project
region: europe-west1
atlantis:
  version: v0.46.0   # pinned until the migration is done
  repoAllowlist: ["github.com/acme/*"]
  vcs: {provider: github, user: atlantis-bot}

secrets:
  vcs-token: {fromEnv: GITHUB_TOKEN}
`;

function lastJson(stdout: string): Record<string, any> {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;
}

const methods = (entries: { method: string }[]) => entries.map((e) => e.method.split('/').pop()!).sort();

describe.each(TRANSPORTS)('upgrade and rollback over %s', (transport) => {
  it('lists newer versions, upgrades with the file kept as written, rolls back and returns on the next deploy', async () => {
    const emu = await emulator();
    const dir = projectDir(CONFIG);
    const file = path.join(dir, 'atlantis-run.yaml');
    const env = emulatorEnv(emu, transport);
    const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: dir, env: { ...env, ...extra } });

    // Before the first deploy there is no proxy to list versions through.
    const early = await cli(['upgrade', '--list']);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('atlantis is not deployed yet');
    expect(early.stderr).toContain('run `atlantis-run deploy` first');

    expect((await cli(['deploy', '-y'])).code).toBe(0);
    emu.mutate((s) => publishUpstreamTags(s, 'ghcr.io/runatlantis/atlantis', ['v0.48.0', 'v0.49.0-pre.20260901', 'v0.48.0-debian']));

    // 1. The list: newer than the deployed v0.46.0, newest first, pre-releases only with --pre.
    const list = await cli(['upgrade', '--list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(lastJson(list.stdout)).toMatchObject({
      action: 'listed',
      current: 'v0.46.0',
      currentSource: 'deployed',
      versions: [
        { tag: 'v0.48.0', prerelease: false, releaseNotes: 'https://github.com/runatlantis/atlantis/releases/tag/v0.48.0' },
        { tag: 'v0.47.1', prerelease: false },
        { tag: 'v0.47.0', prerelease: false },
      ],
    });
    const pre = await cli(['upgrade', '--list', '--pre']);
    expect(pre.stdout).toMatch(
      /v0\.49\.0-pre\.20260901\s+pre-release\s+https:\/\/github\.com\/runatlantis\/atlantis\/releases\/tag\/v0\.49\.0-pre\.20260901\n\s+v0\.48\.0 /,
    );

    // 2. Bad input and a missing confirmation change nothing: not the file, not the cloud.
    const untouched = since(emu);
    const unknown = await cli(['upgrade', '--to', 'v0.48.1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--to: unknown version v0.48.1: ghcr.io/runatlantis/atlantis has no such tag');
    expect(unknown.stderr).toMatch(/hint: did you mean v0\.48\.0\? `atlantis-run upgrade --list` shows the newer versions/);
    const unconfirmed = await cli(['upgrade']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stdout).toContain('Upgrade: image: v0.46.0 → v0.48.0');
    expect(unconfirmed.stderr).toContain('upgrading Atlantis to v0.48.0 needs confirmation');
    expect(unconfirmed.stderr).toMatch(/Atlantis restarts on a new instance and loses .*unapplied plans; locks and pull-request statuses/);
    expect(readFileSync(file, 'utf8')).toBe(CONFIG);
    expect(mutatingCalls(untouched())).toEqual([]);

    // 3. The upgrade: the plan names the versions, one service update, the file changed in one place.
    const upgrade = since(emu);
    const up = await cli(['upgrade', '-y']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain('will update Cloud Run service atlantis (image: v0.46.0 → v0.48.0)');
    expect(up.stdout).toContain('https://github.com/runatlantis/atlantis/releases/tag/v0.47.1');
    expect(up.stdout).toMatch(
      /Image: +europe-west1-docker\.pkg\.dev\/my-project\/atlantis-ghcr\/runatlantis\/atlantis@sha256:[a-f0-9]{64} \(v0\.48\.0\)/,
    );
    expect(methods(mutatingCalls(upgrade()))).toEqual(['UpdateService']);
    expect(readFileSync(file, 'utf8')).toBe(CONFIG.replace('version: v0.46.0   #', 'version: v0.48.0   #'));
    const status = lastJson((await cli(['status', '--json'])).stdout);
    expect(status).toMatchObject({ version: 'v0.48.0', ready: true, traffic: { pinned: false } });
    const newest = status.readyRevision as string;
    expect((await cli(['upgrade', '--json'])).stdout).toContain('"action":"up-to-date"');

    // 4. Rollback to the previous ready revision: traffic only, no new revision, status shows the pin.
    const revisions = lastJson((await cli(['rollback', '--list', '--json'])).stdout).revisions;
    expect(revisions.map((r: any) => [r.version, r.ready, r.percent, r.latest])).toEqual([
      ['v0.48.0', true, 100, true],
      ['v0.46.0', true, 0, false],
    ]);
    const previous = revisions[1].name as string;
    const rollback = since(emu);
    const back = await cli(['rollback', '-y', '--json']);
    expect(back.code, back.stderr).toBe(0);
    expect(lastJson(back.stdout)).toMatchObject({
      action: 'rolled-back',
      from: newest,
      to: previous,
      version: 'v0.46.0',
      secrets: expect.arrayContaining([{ secretId: 'atlantis-vcs-token', version: '1', action: 'kept' }]),
    });
    expect(methods(mutatingCalls(rollback()))).toEqual(['UpdateService']);
    const pinned = await cli(['status']);
    expect(pinned.stdout).toMatch(
      new RegExp(`Traffic: +100% ${previous} \\(v0\\.46\\.0\\) — PINNED by a rollback; the latest ready revision is ${newest}`),
    );
    expect(pinned.stdout).toContain('Drift against the lockfile: none');
    const plan = await cli(['plan']);
    expect(plan.stdout).toContain(
      `~ Cloud Run service atlantis  (traffic returns to the latest revision: a rollback pinned it to ${previous})`,
    );

    // 5. The next deploy returns traffic to the latest revision, and says so; no new revision.
    const deploy = await cli(['deploy', '-y']);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stderr).toContain(`traffic is back on the latest revision ${newest} (a rollback had pinned it to ${previous})`);
    const after = lastJson((await cli(['status', '--json'])).stdout);
    expect(after).toMatchObject({ readyRevision: newest, traffic: { pinned: false, serving: [{ revision: newest, percent: 100 }] } });
    expect((await cli(['status'])).stdout).toMatch(
      /Image: +europe-west1-docker\.pkg\.dev\/my-project\/atlantis-ghcr\/runatlantis\/atlantis@sha256:[a-f0-9]{64} \(v0\.48\.0\)/,
    );

    // 6. A named older version: a downgrade, said so, then deployed like any other.
    const downgrade = since(emu);
    const down = await cli(['upgrade', '--to', 'v0.47.1', '-y']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain('v0.47.1 is older than v0.48.0: a downgrade');
    expect(down.stderr).toContain('will update Cloud Run service atlantis (image: v0.48.0 → v0.47.1)');
    expect(methods(mutatingCalls(downgrade()))).toEqual(['UpdateService']);
    expect(readFileSync(file, 'utf8')).toBe(CONFIG.replace('version: v0.46.0   #', 'version: v0.47.1   #'));
    expect(lastJson((await cli(['status', '--json'])).stdout)).toMatchObject({ version: 'v0.47.1', ready: true });
  });

  it('rolls back to a revision whose secret version was disabled (enabling it), refuses one that never became ready', async () => {
    const emu = await emulator();
    const dir = projectDir(CONFIG);
    const env = emulatorEnv(emu, transport);
    const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: dir, env: { ...env, ...extra } });
    expect((await cli(['deploy', '-y'])).code).toBe(0);
    const old = lastJson((await cli(['status', '--json'])).stdout).readyRevision as string;
    // A new token: version 2 and a new revision; then version 1 is disabled by hand.
    expect((await cli(['deploy', '-y'], { GITHUB_TOKEN: 'ghp_secondtoken00000000000000000000000000000' })).code).toBe(0);
    const secrets = new SecretManagerServiceClient(clientOptions(emu, transport));
    await secrets.disableSecretVersion({ name: TOKEN_VERSION_1 });

    const r = await cli(['rollback', '--to', old, '-y']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Rolled back: ${old} (v0.46.0) serves all traffic of atlantis`);
    expect(r.stdout).toContain('atlantis-vcs-token version 1: was disabled, enabled again');
    const [version] = await secrets.getSecretVersion({ name: TOKEN_VERSION_1 });
    expect(String(version.state)).toMatch(/^(ENABLED|1)$/);
    await secrets.close();
    // Back to the latest revision (the one with version 2).
    expect((await cli(['deploy', '-y'], { GITHUB_TOKEN: 'ghp_secondtoken00000000000000000000000000000' })).code).toBe(0);

    // A revision that never became ready cannot take traffic: exit 2, nothing changed.
    const services = new ServicesClient(clientOptions(emu, transport));
    const [live] = await services.getService({ name: SERVICE });
    live.template!.containers![0].image = `europe-west1-docker.pkg.dev/my-project/missing/atlantis@sha256:${'b'.repeat(64)}`;
    const [op] = await services.updateService({ service: live });
    await op.promise().catch(() => undefined);
    const [broken] = await services.getService({ name: SERVICE });
    await services.close();
    const failed = broken.latestCreatedRevision!.split('/').pop()!;
    const calls = since(emu);
    const refused = await cli(['rollback', '--to', failed, '-y']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(`--to: revision ${failed} never became ready \\(Image '.*' not found\\.\\), so it cannot serve`),
    );
    expect(refused.stderr).toContain('choose a ready revision');
    const missing = await cli(['rollback', '--to', 'atlantis-00099-zzz', '-y']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--to: service atlantis has no revision atlantis-00099-zzz');
    expect(mutatingCalls(calls())).toEqual([]);

    // With the newest revision failed, the route still moves (the service stays failed, and rollback says so).
    const during = await cli(['rollback', '-y', '--json']);
    expect(during.code, during.stderr).toBe(0);
    const result = lastJson(during.stdout);
    expect(result.notes).toEqual([`the newest revision ${failed} is still failed; deploy tries it again`]);
    expect(result.to).toBe(old);
    expect(lastJson((await cli(['status', '--json'])).stdout).traffic).toMatchObject({ pinned: true, pinnedTo: [old] });
  });

  it('--edit-only writes the version and shows the plan without deploying; a flow-style atlantis: is edited too', async () => {
    const emu = await emulator();
    const flow =
      'project: my-project\nregion: europe-west1\natlantis: {repoAllowlist: ["github.com/acme/*"], vcs: {provider: github, user: bot}}\nsecrets:\n  vcs-token: {fromEnv: GITHUB_TOKEN}\n';
    const dir = projectDir(flow);
    const env = emulatorEnv(emu, transport);
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    emu.mutate((s) => publishUpstreamTags(s, 'ghcr.io/runatlantis/atlantis', ['v0.48.0']));
    const calls = since(emu);
    const r = await runCli(['upgrade', '--edit-only'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('atlantis-run.yaml: atlantis.version is now v0.48.0. `atlantis-run deploy` applies this plan:');
    expect(r.stdout).toContain('~ Cloud Run service atlantis  (image: v0.47.1 → v0.48.0)');
    expect(mutatingCalls(calls())).toEqual([]);
    const { parse } = await import('yaml');
    expect(parse(readFileSync(path.join(dir, 'atlantis-run.yaml'), 'utf8')).atlantis.version).toBe('v0.48.0');
  });
});
