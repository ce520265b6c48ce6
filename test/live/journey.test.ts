// The same journey as test/deploy.test.ts, against a real project: deploy → no-op deploy → status →
// destroy. Opt-in: set ATLANTIS_RUN_LIVE_PROJECT (a project you can spend a few cents in) and
// Application Default Credentials (gcloud auth application-default login, or
// GOOGLE_APPLICATION_CREDENTIALS); ATLANTIS_RUN_LIVE_REGION defaults to europe-west1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliProcess } from '../support/cli.js';

const project = process.env.ATLANTIS_RUN_LIVE_PROJECT;
const region = process.env.ATLANTIS_RUN_LIVE_REGION ?? 'europe-west1';
const why = 'set ATLANTIS_RUN_LIVE_PROJECT (and Application Default Credentials) to run the live journey';

describe.skipIf(!project)(`live journey in ${project ?? '(no project)'}${project ? '' : ` — skipped: ${why}`}`, () => {
  it('deploys, converges without changes, reports status, and destroys', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'atlantis-run-live-'));
    // A unique service name: several runs (or people) can share the project.
    const service = `ar-live-${Date.now().toString(36)}`;
    writeFileSync(
      path.join(dir, 'atlantis-run.yaml'),
      `project: ${project}\nregion: ${region}\nservice: ${service}\natlantis:\n  repoAllowlist: ["github.com/atlantis-run-live/*"]\n  vcs: {provider: github, user: atlantis-run-live}\nsecrets:\n  vcs-token: {fromEnv: LIVE_TOKEN}\n`,
    );
    const env = {
      LIVE_TOKEN: 'ghp_notARealTokenForTheLiveTest000000000000',
      GOOGLE_APPLICATION_CREDENTIALS: process.env.GOOGLE_APPLICATION_CREDENTIALS,
      CLOUDSDK_CONFIG: process.env.CLOUDSDK_CONFIG,
      NODE_OPTIONS: '',
      // Google's pace, not the emulator's (the test helpers shorten these for the emulator).
      ATLANTIS_RUN_RETRY_BASE_MS: '500',
      ATLANTIS_RUN_POLL_MS: '1000',
      METADATA_SERVER_DETECTION: process.env.METADATA_SERVER_DETECTION ?? '',
    };
    try {
      const first = await runCliProcess(['deploy', '-y', '--json'], { cwd: dir, env, timeoutMs: 20 * 60_000 });
      expect(first.code, first.stderr).toBe(0);
      const result = JSON.parse(first.stdout.trim().split('\n').at(-1)!) as { url: string; webhookUrl: string };
      expect(result.webhookUrl).toBe(`${result.url}/events`);
      const second = await runCliProcess(['deploy', '-y', '--json'], { cwd: dir, env });
      expect(second.code, second.stderr).toBe(0);
      expect((JSON.parse(second.stdout.trim().split('\n').at(-1)!) as { changes: number }).changes).toBe(0);
      const status = await runCliProcess(['status', '--json'], { cwd: dir, env });
      expect(status.code, status.stderr).toBe(0);
      expect((JSON.parse(status.stdout.trim().split('\n').at(-1)!) as { ready: boolean }).ready).toBe(true);
    } finally {
      const destroy = await runCliProcess(['destroy', '-y', '--purge-secrets'], { cwd: dir, env, timeoutMs: 20 * 60_000 });
      expect(destroy.code, destroy.stderr).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
