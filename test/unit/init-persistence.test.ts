// init's persistence question: each choice priced for this Atlantis (the cost model), with what a
// restart keeps; plans on Cloud Storage recommended from Atlantis v0.47.0, memory before; and the
// block each choice writes, which the configuration parser accepts.
import { describe, expect, it } from 'vitest';
import { persistenceBlock, persistenceChoices, recommendedChoice } from '../../src/init/persistence.js';
import { configOf } from '../support/phase-context.js';
import { MINIMAL_CONFIG } from '../support/fixtures.js';

describe('init: the persistence question', () => {
  it('prices each choice and says what a restart keeps, recommending plans on Cloud Storage', () => {
    const choices = persistenceChoices('us-central1', 'v0.47.1');
    expect(choices.map((c) => c.value)).toEqual(['gcs', 'gcs-redis', 'gcs-external-redis', 'filestore-redis', 'memory']);
    expect(choices[0].name).toBe('plans on Cloud Storage, $52.69 a month — recommended');
    expect(choices[1].name).toBe('plans on Cloud Storage + Memorystore Redis locks, $88.58 a month');
    expect(choices[3].name).toBe('the data dir on Filestore + Memorystore Redis locks, $258.74 a month');
    expect(choices[4].name).toBe('memory only, $52.60 a month');
    expect(choices[1].description).toMatch(/^a restart keeps: plan files; locks and pull-request statuses/);
    expect(recommendedChoice('v0.47.1')).toBe('gcs');
    expect(recommendedChoice('v0.46.9')).toBe('memory');
    expect(persistenceChoices('us-central1', 'v0.46.9')[0].name).toContain('(needs Atlantis v0.47.0+)');
  });

  it('writes blocks the configuration accepts', async () => {
    const blocks = [
      persistenceBlock('memory', { sizeLimit: '512Mi' }),
      persistenceBlock('gcs', {}),
      persistenceBlock('gcs-redis', { network: { name: 'shared', subnet: 'shared-eu' } }),
      persistenceBlock('gcs-external-redis', {
        redis: { host: 'r.example.com', port: 6380, tls: true, password: { fromEnv: 'REDIS_PW' } },
      }),
      persistenceBlock('filestore-redis', {}),
    ];
    for (const block of blocks) {
      const config = await configOf(`${MINIMAL_CONFIG}persistence: ${JSON.stringify(block)}\n`);
      expect(config.persistence).toMatchObject(block);
    }
    expect(blocks[4]).toEqual({ plans: 'memory', locks: 'redis', redis: { tier: 'basic', sizeGb: 1 }, dataDir: 'filestore' });
  });
});
