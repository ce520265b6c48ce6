// The persistence configurations against a real project: deploy → no-op deploy → status (where plans
// and locks live, healthy) → destroy with --purge-data. Opt-in twice, because some of them cost
// money while they run: ATLANTIS_RUN_LIVE_PROJECT (as for the live journey) and
// ATLANTIS_RUN_LIVE_PERSISTENCE, a comma-separated list of variants —
//   gcs              plans on Cloud Storage (cents)
//   gcs-redis        + Memorystore Basic 1 GiB (≈ $0.05 an hour while it exists; creation takes minutes)
//   external-redis   + your Redis: ATLANTIS_RUN_LIVE_REDIS_HOST (reachable from Cloud Run without a
//                    VPC, or name one with ATLANTIS_RUN_LIVE_NETWORK), ATLANTIS_RUN_LIVE_REDIS_PORT,
//                    ATLANTIS_RUN_LIVE_REDIS_TLS=true, ATLANTIS_RUN_LIVE_REDIS_PASSWORD
//   filestore-redis  Filestore Basic HDD 1 TiB + Memorystore (≈ $0.27 an hour; creation takes minutes)
//   all              every variant above but external-redis
// Not covered here (needs Atlantis to receive webhooks): that a plan made before a restart applies
// after it — the README marks that behaviour as not yet verified on Google.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliProcess } from '../support/cli.js';

const project = process.env.ATLANTIS_RUN_LIVE_PROJECT;
const region = process.env.ATLANTIS_RUN_LIVE_REGION ?? 'europe-west1';
const asked = new Set(
  (process.env.ATLANTIS_RUN_LIVE_PERSISTENCE ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
);
const wanted = (variant: string) => Boolean(project) && (asked.has(variant) || (asked.has('all') && variant !== 'external-redis'));

function externalRedis(): string {
  const host = process.env.ATLANTIS_RUN_LIVE_REDIS_HOST;
  if (!host) throw new Error('external-redis needs ATLANTIS_RUN_LIVE_REDIS_HOST');
  const network = process.env.ATLANTIS_RUN_LIVE_NETWORK;
  return (
    `  locks: redis\n  redis: {host: ${host}, port: ${process.env.ATLANTIS_RUN_LIVE_REDIS_PORT ?? 6379}` +
    `${process.env.ATLANTIS_RUN_LIVE_REDIS_TLS === 'true' ? ', tls: true' : ''}` +
    `${process.env.ATLANTIS_RUN_LIVE_REDIS_PASSWORD ? ', password: {fromEnv: LIVE_REDIS_PASSWORD}' : ''}}\n` +
    (network ? `  network: {name: ${network}}\n` : '')
  );
}

const VARIANTS: { name: string; persistence: () => string; locks: string; dataDir: string }[] = [
  { name: 'gcs', persistence: () => '  plans: gcs\n', locks: 'local', dataDir: 'memory' },
  { name: 'gcs-redis', persistence: () => '  plans: gcs\n  locks: redis\n', locks: 'redis', dataDir: 'memory' },
  { name: 'external-redis', persistence: () => `  plans: gcs\n${externalRedis()}`, locks: 'redis', dataDir: 'memory' },
  { name: 'filestore-redis', persistence: () => '  dataDir: filestore\n  locks: redis\n', locks: 'redis', dataDir: 'filestore' },
];

for (const variant of VARIANTS) {
  const why = `set ATLANTIS_RUN_LIVE_PROJECT and ATLANTIS_RUN_LIVE_PERSISTENCE=${variant.name} to run it`;
  describe.skipIf(!wanted(variant.name))(`live persistence: ${variant.name}${wanted(variant.name) ? '' : ` — skipped: ${why}`}`, () => {
    it('deploys, converges without changes, shows where plans and locks live, and is destroyed', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'atlantis-run-live-persistence-'));
      const service = `ar-p-${Date.now().toString(36)}`;
      writeFileSync(
        path.join(dir, 'atlantis-run.yaml'),
        `project: ${project}\nregion: ${region}\nservice: ${service}\natlantis:\n  repoAllowlist: ["github.com/atlantis-run-live/*"]\n` +
          `  vcs: {provider: github, user: atlantis-run-live}\nsecrets:\n  vcs-token: {fromEnv: LIVE_TOKEN}\npersistence:\n${variant.persistence()}`,
      );
      const env = {
        LIVE_TOKEN: 'ghp_notARealTokenForTheLiveTest000000000000',
        LIVE_REDIS_PASSWORD: process.env.ATLANTIS_RUN_LIVE_REDIS_PASSWORD,
        GOOGLE_APPLICATION_CREDENTIALS: process.env.GOOGLE_APPLICATION_CREDENTIALS,
        CLOUDSDK_CONFIG: process.env.CLOUDSDK_CONFIG,
        NODE_OPTIONS: '',
        ATLANTIS_RUN_RETRY_BASE_MS: '500',
        ATLANTIS_RUN_POLL_MS: '2000',
        METADATA_SERVER_DETECTION: process.env.METADATA_SERVER_DETECTION ?? '',
      };
      const last = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;
      try {
        const first = await runCliProcess(['deploy', '-y', '--json', '--wait-timeout', '30m'], { cwd: dir, env, timeoutMs: 45 * 60_000 });
        expect(first.code, first.stderr).toBe(0);
        const second = await runCliProcess(['deploy', '-y', '--json'], { cwd: dir, env, timeoutMs: 10 * 60_000 });
        expect(second.code, second.stderr).toBe(0);
        expect(last(second.stdout).changes).toBe(0);
        const status = await runCliProcess(['status', '--json'], { cwd: dir, env });
        expect(status.code, status.stderr).toBe(0);
        const persistence = last(status.stdout).persistence;
        expect(persistence.plans.healthy).toBe(true);
        expect(persistence.locks.healthy).toBe(true);
        expect(persistence.dataDir.healthy).toBe(true);
        expect(persistence.running).toMatchObject({ locks: variant.locks, dataDir: variant.dataDir });
      } finally {
        // A subnet Direct VPC egress used is released some time after the service is gone: a
        // failed network deletion is reported, and a second destroy later finishes it.
        const destroy = await runCliProcess(['destroy', '-y', '--purge-secrets', '--purge-data', '--wait-timeout', '30m'], {
          cwd: dir,
          env,
          timeoutMs: 45 * 60_000,
        });
        expect(destroy.code, destroy.stderr).toBe(0);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
