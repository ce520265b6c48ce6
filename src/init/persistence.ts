// init's persistence question: the choices with what each keeps across a restart and what it
// costs a month for this Atlantis (the cost model's comparison, at today's bundled prices), and the
// `persistence:` block each choice writes. Plans on Cloud Storage is what init recommends — when the
// Atlantis version has --share-plan-dir (v0.47.0); memory otherwise.
import { olderThan, SHARE_PLAN_DIR_SINCE } from '../config/persistence.js';
import { compareAlternatives, type Alternative } from '../cost/compare.js';
import { usd } from '../cost/model.js';

export const PERSISTENCE_CHOICES = ['memory', 'gcs', 'gcs-redis', 'gcs-external-redis', 'filestore-redis'] as const;
export type PersistenceChoice = (typeof PERSISTENCE_CHOICES)[number];

/** The `persistence:` block as written (keys in reading order). */
export interface PersistenceAnswer {
  plans: 'memory' | 'gcs';
  planRetentionDays?: number;
  locks: 'local' | 'redis';
  redis?: Record<string, unknown>;
  dataDir: 'memory' | 'filestore';
  sizeLimit?: string;
  network?: { name?: string; subnet?: string };
}

/** The existing Redis of `gcs-external-redis`. */
export interface ExternalRedis {
  host: string;
  port: number;
  tls: boolean;
  password?: { fromEnv: string } | { fromFile: string };
}

export function recommendedChoice(atlantisVersion: string): PersistenceChoice {
  return olderThan(atlantisVersion, SHARE_PLAN_DIR_SINCE) ? 'memory' : 'gcs';
}

/** The choices as the question lists them: price for this Atlantis, and what a restart keeps. */
export function persistenceChoices(
  region: string,
  atlantisVersion: string,
): { value: PersistenceChoice; name: string; description: string }[] {
  const rows = new Map<string, Alternative>(
    compareAlternatives({ region, cpu: 1, memoryGiB: 2, secrets: 3, cachedImage: true }).map((a) => [a.id, a]),
  );
  const recommended = recommendedChoice(atlantisVersion);
  const price = (id: string) => `${usd(rows.get(id)!.monthlyTotalUsd)} a month`;
  const keeps = (id: string) => `a restart keeps: ${rows.get(id)!.survives}`;
  const tooOld = olderThan(atlantisVersion, SHARE_PLAN_DIR_SINCE) ? ` (needs Atlantis ${SHARE_PLAN_DIR_SINCE}+)` : '';
  const mark = (c: PersistenceChoice) => (c === recommended ? ' — recommended' : '');
  return [
    {
      value: 'gcs',
      name: `plans on Cloud Storage, ${price('gcs')}${mark('gcs')}${tooOld}`,
      description: `${keeps('gcs')}; locks are lost (plan again to take them)`,
    },
    {
      value: 'gcs-redis',
      name: `plans on Cloud Storage + Memorystore Redis locks, ${price('gcs-redis')}${tooOld}`,
      description: `${keeps('gcs-redis')}; Memorystore Basic 1 GiB in a VPC the tool creates`,
    },
    {
      value: 'gcs-external-redis',
      name: `plans on Cloud Storage + your own Redis, ${price('gcs')} + your Redis${tooOld}`,
      description: 'a restart keeps: plan files; locks and pull-request statuses (in your Redis)',
    },
    {
      value: 'filestore-redis',
      name: `the data dir on Filestore + Memorystore Redis locks, ${price('filestore-redis')}`,
      description: `${keeps('filestore-redis')}; Filestore Basic HDD bills at least 1 TiB`,
    },
    {
      value: 'memory',
      name: `memory only, ${price('memory')}${mark('memory')}`,
      description: 'a restart keeps nothing: clones, plans, locks and pull-request statuses are lost',
    },
  ];
}

/** The block a choice writes. */
export function persistenceBlock(
  choice: PersistenceChoice,
  extra: { sizeLimit?: string | undefined; redis?: ExternalRedis | undefined; network?: { name?: string; subnet?: string } },
): PersistenceAnswer {
  const network = extra.network && (extra.network.name || extra.network.subnet) ? { network: extra.network } : {};
  const managed = { tier: 'basic', sizeGb: 1 };
  const memoryDir = { dataDir: 'memory' as const, ...(extra.sizeLimit ? { sizeLimit: extra.sizeLimit } : {}) };
  switch (choice) {
    case 'memory':
      return { plans: 'memory', locks: 'local', ...memoryDir };
    case 'gcs':
      return { plans: 'gcs', planRetentionDays: 30, locks: 'local', ...memoryDir };
    case 'gcs-redis':
      return { plans: 'gcs', planRetentionDays: 30, locks: 'redis', redis: managed, ...memoryDir, ...network };
    case 'gcs-external-redis': {
      const r = extra.redis!;
      return {
        plans: 'gcs',
        planRetentionDays: 30,
        locks: 'redis',
        redis: { host: r.host, port: r.port, ...(r.tls ? { tls: true } : {}), ...(r.password ? { password: r.password } : {}) },
        ...memoryDir,
        ...network,
      };
    }
    case 'filestore-redis':
      return { plans: 'memory', locks: 'redis', redis: managed, dataDir: 'filestore', ...network };
  }
}

/** The comment above the block: what lives where, and what a restart keeps. */
export function persistenceComment(a: PersistenceAnswer, defaultSize: string, memory: string): string {
  const where = [
    a.plans === 'gcs' ? 'plans in a Cloud Storage bucket (deleted after planRetentionDays)' : undefined,
    a.locks === 'redis' ? (a.redis && 'host' in a.redis ? 'locks in your Redis' : 'locks in a Memorystore for Redis instance') : undefined,
    a.dataDir === 'filestore' ? 'the whole data dir on a Filestore share' : undefined,
  ].filter(Boolean);
  const lines = [
    where.length
      ? ` Where Atlantis keeps its data: ${where.join(', ')}.`
      : " Atlantis' data dir (clones, plans, locks) on an in-memory volume, lost when the instance restarts.",
  ];
  if (a.dataDir === 'memory') {
    lines.push(
      a.sizeLimit === undefined
        ? ` The in-memory data dir defaults to half of resources.memory (${defaultSize} of ${memory}); set sizeLimit to change it.`
        : ` sizeLimit counts against resources.memory (${memory}).`,
    );
  }
  lines.push(' `atlantis-run cost --compare` prices the alternatives; README, "Persistence", says what each keeps.');
  return lines.join('\n');
}
