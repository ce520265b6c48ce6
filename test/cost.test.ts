// `atlantis-run cost` through the CLI: the itemised estimate with its assumptions and price date,
// the write-up's figures for its shape, --no-free-tier, --compare, --live from the emulated Cloud
// Billing Catalog (read-only calls), --json, and a bad --month refused before anything happens.
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { emulator, emulatorEnv, since } from './support/emulator.js';
import { MINIMAL_CONFIG, projectDir } from './support/fixtures.js';

const lastJson = (stdout: string): Record<string, any> => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;
const WRITE_UP = `${MINIMAL_CONFIG.replace('region: europe-west1', 'region: us-central1')}resources: {cpu: 1, memory: 512Mi}\n`;

describe('atlantis-run cost', () => {
  it('prints the itemised estimate, the assumptions and the price date, offline', async () => {
    const result = await runCli(['cost'], { cwd: projectDir(`${MINIMAL_CONFIG}persistence: {plans: gcs, locks: redis}\n`) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Monthly estimate for atlantis \(my-project, europe-west1\): \$88\.58 a month/);
    expect(result.stdout).toMatch(/Memorystore for Redis \(Basic, 1 GiB\)\s+\$35\.77/);
    expect(result.stdout).toMatch(/Cloud Run free tier \(once per billing account\)\s+−\$5\.22/);
    expect(result.stdout).toContain('a month is 730 hours');
    expect(result.stdout).toContain('list prices in USD as of 2026-08-22');
    expect(result.stdout).toContain('tax, network egress, logging');
    expect(result.stdout).toContain('Secret Manager versions');
  });

  it("reproduces the write-up's $44 for its shape with a 30-day month, and $260 with Filestore at 2022 prices in --compare", async () => {
    const dir = projectDir(WRITE_UP);
    const cost = lastJson((await runCli(['cost', '--month', '30d', '--json'], { cwd: dir })).stdout);
    expect(cost).toMatchObject({ command: 'cost', monthlyTotalUsd: 44.03, month: { assumption: '30d', hours: 720 }, freeTier: true });
    const compare = lastJson((await runCli(['cost', '--month', '30d', '--compare', '--json'], { cwd: dir })).stdout).compare;
    const row = (id: string) => compare.find((r: { id: string }) => r.id === id);
    expect(row('memory')).toMatchObject({ monthlyTotalUsd: 44.03, monthly2022Usd: 44.03 });
    expect(Math.abs(row('filestore-redis').monthly2022Usd - 260)).toBeLessThan(5);
    const text = await runCli(['cost', '--compare'], { cwd: dir });
    expect(text.stdout).toMatch(/for reference: a GKE Autopilot cluster \(fee only\)\s+\$0\.00\s+\$73\.00/);
    expect(text.stdout).toContain('survives a restart');
  });

  it('--no-free-tier bills everything from the first unit', async () => {
    const dir = projectDir(WRITE_UP);
    const free = lastJson((await runCli(['cost', '--json'], { cwd: dir })).stdout);
    const paid = lastJson((await runCli(['cost', '--no-free-tier', '--json'], { cwd: dir })).stdout);
    expect(free.monthlyTotalUsd).toBe(44.71);
    expect(paid.freeTier).toBe(false);
    expect(paid.items.find((i: { id: string }) => i.id === 'cloud-run-free-tier')).toBeUndefined();
    // $49.93 of Cloud Run + 6 secret versions × $0.06 + 0.3 GB of cached image × $0.10
    expect(paid.monthlyTotalUsd).toBe(50.32);
  });

  it('--live reads the Cloud Billing Catalog (only reads), and says which figures came from it', async () => {
    const emu = await emulator();
    const calls = since(emu);
    const result = await runCli(['cost', '--live', '--json'], {
      cwd: projectDir(`${MINIMAL_CONFIG}persistence: {plans: gcs, locks: redis}\n`),
      env: emulatorEnv(emu, 'grpc'),
    });
    expect(result.code, result.stderr).toBe(0);
    const cost = lastJson(result.stdout);
    expect(cost.live.found).toEqual(expect.arrayContaining(['Cloud Run CPU', 'Cloud Run memory', 'Memorystore Basic']));
    expect(cost.priceSource).toMatch(/^Cloud Billing Catalog API, read \d{4}-\d{2}-\d{2}/);
    expect(cost.items.find((i: { id: string }) => i.id === 'memorystore').source).toContain('Redis Capacity Basic M1 Belgium');
    const methods = calls().map((e) => e.method.split('/').pop());
    expect(methods).toContain('ListSkus');
    expect(calls().filter((e) => e.mutating)).toEqual([]);
  });

  it('refuses a month it does not know (exit 2)', async () => {
    const result = await runCli(['cost', '--month', '31d'], { cwd: projectDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--month: expected 730h');
  });
});
