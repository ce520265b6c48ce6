// The alternatives side by side for the same Atlantis (`atlantis-run cost --compare`, and init's
// persistence question): memory only, plans on Cloud Storage, + Redis, Filestore + Redis, and for
// reference a GKE Autopilot cluster's fee — the table the write-up behind this tool made by hand in
// 2022, computed from today's prices and, where the option existed then, from 2022's.
import { DATA_OWNER_SIDECAR, persistenceSettings, survivesRestart, FILESTORE_MIN_GB } from '../config/persistence.js';
import { GiB, parseQuantity } from '../config/quantity.js';
import { estimateCost, MONTH_HOURS, type CostInput, type CostOptions } from './model.js';
import { CURRENT_PRICES, PRICES_2022 } from './prices.js';

export type AlternativeId = 'memory' | 'gcs' | 'gcs-redis' | 'filestore-redis' | 'gke-autopilot';

export interface Alternative {
  id: AlternativeId;
  label: string;
  /** What a restart of the instance keeps. */
  survives: string;
  monthlyTotalUsd: number;
  /** The same option at 2022 prices (with a VPC connector where a VPC was needed), when it existed then. */
  monthly2022Usd?: number;
  note?: string;
}

/** The shape of the Atlantis being compared: its own container only (the sidecar is added where used). */
export interface AtlantisShape {
  region: string;
  cpu: number;
  memoryGiB: number;
  /** Secrets without the Redis password (added where Redis is). */
  secrets: number;
  cachedImage: boolean;
}

export function shapeOf(input: CostInput, filestoreSidecar: boolean, redisSecrets: number): AtlantisShape {
  const sidecarMemory = parseQuantity(DATA_OWNER_SIDECAR.memory)! / GiB;
  return {
    region: input.region,
    cpu: input.cpu - (filestoreSidecar ? DATA_OWNER_SIDECAR.cpu : 0),
    memoryGiB: input.memoryGiB - (filestoreSidecar ? sidecarMemory : 0),
    secrets: input.secrets - redisSecrets,
    cachedImage: input.cachedImage,
  };
}

/** What survives a restart under each option, in one line. */
function survivesLine(plans: 'memory' | 'gcs', locks: 'local' | 'redis', dataDir: 'memory' | 'filestore'): string {
  const s = persistenceSettings({
    service: 'x',
    persistence: { plans, locks, dataDir, planRetentionDays: 30 },
  });
  const { kept } = survivesRestart(s);
  return kept.length ? kept.map((k) => k.replace(/ \(.*\)$/, '')).join('; ') : 'nothing';
}

export function compareAlternatives(shape: AtlantisShape, options: CostOptions = {}): Alternative[] {
  const base: CostInput = { ...shape, plans: 'memory', redis: { kind: 'none' }, filestore: undefined };
  const redis = { kind: 'memorystore' as const, tier: 'BASIC' as const, sizeGb: 1 };
  const sidecarMemory = parseQuantity(DATA_OWNER_SIDECAR.memory)! / GiB;
  const withFilestore: CostInput = {
    ...base,
    cpu: shape.cpu + DATA_OWNER_SIDECAR.cpu,
    memoryGiB: shape.memoryGiB + sidecarMemory,
    filestore: { capacityGb: FILESTORE_MIN_GB },
    redis,
    secrets: shape.secrets + 1,
  };
  const total = (input: CostInput, o: CostOptions = options) => estimateCost(input, o).monthlyTotalUsd;
  const old = { ...options, table: PRICES_2022 };
  const hours = MONTH_HOURS[options.month ?? '730h'];
  const fee = CURRENT_PRICES.gkeAutopilot;
  const free = options.freeTier ?? true;
  const autopilot = fee.clusterHour.usd * hours - (free ? Math.min(fee.clusterHour.usd * hours, fee.freeUsdPerMonth) : 0);
  return [
    {
      id: 'memory',
      label: 'memory only',
      survives: survivesLine('memory', 'local', 'memory'),
      monthlyTotalUsd: total(base),
      monthly2022Usd: total(base, old),
    },
    {
      id: 'gcs',
      label: 'plans on Cloud Storage (recommended)',
      survives: survivesLine('gcs', 'local', 'memory'),
      monthlyTotalUsd: total({ ...base, plans: 'gcs' }),
      note: 'needs Atlantis v0.47.0 or newer',
    },
    {
      id: 'gcs-redis',
      label: 'plans on Cloud Storage + Memorystore Redis',
      survives: survivesLine('gcs', 'redis', 'memory'),
      monthlyTotalUsd: total({ ...base, plans: 'gcs', redis, secrets: shape.secrets + 1 }),
    },
    {
      id: 'filestore-redis',
      label: 'data dir on Filestore + Memorystore Redis',
      survives: survivesLine('memory', 'redis', 'filestore'),
      monthlyTotalUsd: total(withFilestore),
      // 2022: the whole data dir on Filestore through a VPC connector, BoltDB locks (Redis locking came later).
      monthly2022Usd: total({ ...base, filestore: { capacityGb: FILESTORE_MIN_GB }, connector: true }, old),
      note: '2022: Filestore through a two-VM VPC connector, without Redis',
    },
    {
      id: 'gke-autopilot',
      label: 'for reference: a GKE Autopilot cluster (fee only)',
      survives: 'depends on the volumes you give the pod',
      monthlyTotalUsd: Math.round(autopilot * 100) / 100,
      monthly2022Usd: Math.round(fee.clusterHour.usd * hours * 100) / 100,
      note: `$${fee.clusterHour.usd.toFixed(2)}/h cluster fee${free ? `, covered by GKE's $${fee.freeUsdPerMonth.toFixed(2)} a month free tier` : ''}; pods are billed on their requests, not computed here`,
    },
  ];
}
