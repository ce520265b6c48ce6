// The --json contract: every line on stdout is an event or, last, the command's result. These zod
// schemas describe each command's result and the event lines; `npm run schema` turns them into
// schema/atlantis-run.output.schema.json for the CI scripts that parse them, and the compile-time
// checks at the bottom keep them equal to the types the commands actually print. Handlers import
// only the types (`emitResult`), so zod is not loaded to print a result.
import { z } from 'zod';
import type { CiSetupOutcome } from '../deployment/ci.js';
import type { DeployReport } from '../deployment/report.js';
import type { DeploymentStatus } from '../deployment/status.js';
import type { CostEstimate } from '../cost/model.js';
import type { EngineEvent, PlannedChange } from '../engine/events.js';
import type { ListResult } from '../secrets/list.js';
import type { PushResult } from '../secrets/push.js';
import type { LiveHook } from '../webhooks/types.js';
import type { RevisionInfo } from '../deployment/rollback.js';
import type { NewerVersion } from '../atlantis/versions.js';

const fieldChange = z.object({ path: z.string(), from: z.unknown().optional(), to: z.unknown().optional() });
const action = z.enum(['create', 'update', 'delete', 'noop']);
const plannedChange = z.object({
  kind: z.string(),
  resource: z.string(),
  action,
  fields: z.array(fieldChange).optional(),
  reason: z.string().optional(),
});
const phaseChange = plannedChange.extend({ phase: z.string() });

/** One event line: what a reporter shows as progress, with the time it happened. */
export const eventLine = z.discriminatedUnion('type', [
  z.object({ type: z.literal('phase-start'), phase: z.string(), title: z.string(), time: z.string() }),
  z.object({
    type: z.literal('phase-end'),
    phase: z.string(),
    status: z.enum(['ok', 'failed', 'skipped']),
    changed: z.number(),
    elapsedMs: z.number(),
    summary: z.string().optional(),
    time: z.string(),
  }),
  plannedChange.extend({ type: z.literal('resource-changed'), phase: z.string(), planned: z.boolean().optional(), time: z.string() }),
  z.object({
    type: z.literal('operation-progress'),
    phase: z.string(),
    resource: z.string(),
    operation: z.string(),
    elapsedMs: z.number(),
    message: z.string().optional(),
    time: z.string(),
  }),
  z.object({ type: z.literal('info'), message: z.string(), phase: z.string().optional(), time: z.string() }),
  z.object({
    type: z.literal('warning'),
    message: z.string(),
    hint: z.string().optional(),
    phase: z.string().optional(),
    risk: z.string().optional(),
    time: z.string(),
  }),
]);

const secretName = z.enum([
  'vcs-token',
  'github-app-key',
  'webhook-secret',
  'web-password',
  'repo-config',
  'server-config',
  'redis-password',
  'redis-ca',
]);

const deployReport = z.object({
  emulated: z.boolean(),
  url: z.string(),
  webhookUrl: z.string(),
  revision: z.string().optional(),
  image: z.string().optional(),
  version: z.string().optional(),
  changes: z.number(),
  project: z.string(),
  region: z.string(),
  service: z.string(),
  webhookSecret: z.object({ secret: z.string(), version: z.string().optional(), command: z.string() }).optional(),
  uiUser: z.string().optional(),
  nextSteps: z.array(z.string()),
});

const persistenceItem = z.object({
  what: z.enum(['plans', 'locks', 'data dir', 'network']),
  where: z.string(),
  healthy: z.boolean(),
  detail: z.string().optional(),
});

const deploymentStatus = z.object({
  project: z.string(),
  region: z.string(),
  service: z.string(),
  deployed: z.boolean(),
  url: z.string().optional(),
  webhookUrl: z.string().optional(),
  ready: z.boolean(),
  readyRevision: z.string().optional(),
  latestCreatedRevision: z.string().optional(),
  condition: z.string().optional(),
  image: z.string().optional(),
  version: z.string().optional(),
  traffic: z
    .object({
      pinned: z.boolean(),
      pinnedTo: z.array(z.string()),
      serving: z.array(z.object({ revision: z.string().optional(), percent: z.number(), version: z.string().optional() })),
    })
    .optional(),
  settings: z
    .object({
      minInstances: z.number(),
      maxInstances: z.number().optional(),
      cpu: z.string().optional(),
      memory: z.string().optional(),
      cpuIdle: z.boolean(),
      executionEnvironment: z.string().optional(),
      serviceAccount: z.string().optional(),
    })
    .optional(),
  secrets: z.array(
    z.object({ name: z.string(), secretId: z.string(), inUse: z.string().optional(), latest: z.string().optional(), staged: z.boolean() }),
  ),
  persistence: z.object({
    plans: persistenceItem,
    locks: persistenceItem,
    dataDir: persistenceItem,
    network: persistenceItem.optional(),
    running: z
      .object({
        plans: z.enum(['memory', 'gcs']),
        bucket: z.string().optional(),
        locks: z.enum(['local', 'redis']),
        redis: z.string().optional(),
        dataDir: z.enum(['memory', 'filestore']),
        nfs: z.string().optional(),
      })
      .optional(),
    survivesRestart: z.object({ kept: z.array(z.string()), lost: z.array(z.string()) }),
  }),
  drift: z.object({ config: z.array(phaseChange), lockfile: z.array(z.string()) }),
  blockers: z.array(z.object({ message: z.string(), hint: z.string().optional() })),
});

const pushResult = z.object({
  mode: z.enum(['rollout', 'stage', 'rollout-only']),
  secrets: z.array(
    z.object({
      name: secretName,
      secretId: z.string(),
      action: z.enum(['added', 'unchanged']),
      version: z.string(),
      previous: z.string().optional(),
      secretCreated: z.boolean(),
      checksum: z.string(),
      origin: z.string(),
      notes: z.array(z.string()),
    }),
  ),
  rollout: z.enum(['rolled-out', 'already-pinned', 'not-deployed', 'staged', 'none']),
  revision: z.string().optional(),
  pinned: z.array(z.object({ name: secretName, secretId: z.string(), from: z.string().optional(), to: z.string() })),
  staged: z.array(z.object({ name: secretName, secretId: z.string(), version: z.string(), reason: z.string() })),
  disabled: z.array(z.object({ name: secretName, secretId: z.string(), version: z.string() })),
  pruneNote: z.string().optional(),
  url: z.string().optional(),
});

const listResult = z.object({
  deployed: z.boolean(),
  secrets: z.array(
    z.object({
      name: secretName,
      secretId: z.string(),
      source: z.string(),
      exists: z.boolean(),
      inUse: z.string().optional(),
      newest: z.string().optional(),
      staged: z.boolean(),
      created: z.string().optional(),
      checksum: z.string().optional(),
      versions: z.array(
        z.object({ version: z.string(), state: z.string(), createTime: z.string().optional(), checksum: z.string().optional() }),
      ),
    }),
  ),
});

const cancelledResult = z.object({ cancelled: z.literal(true) });

const costItem = z.object({
  id: z.string(),
  label: z.string(),
  quantity: z.string(),
  rate: z.string(),
  monthlyUsd: z.number(),
  source: z.string(),
  verified: z.boolean(),
  note: z.string().optional(),
});

const costEstimate = z.object({
  currency: z.literal('USD'),
  monthlyTotalUsd: z.number(),
  items: z.array(costItem),
  assumptions: z.array(z.string()),
  priceDate: z.string(),
  priceSource: z.string(),
  month: z.object({ assumption: z.enum(['730h', '30d']), hours: z.number() }),
  freeTier: z.boolean(),
  region: z.string(),
});

const costResult = costEstimate.extend({
  service: z.string(),
  /** With --live: the figures read from the Cloud Billing Catalog, and those kept from the bundled table. */
  live: z.object({ found: z.array(z.string()), missing: z.array(z.string()) }).optional(),
  /** With --compare: the persistence alternatives for the same Atlantis. */
  compare: z
    .array(
      z.object({
        id: z.enum(['memory', 'gcs', 'gcs-redis', 'filestore-redis', 'gke-autopilot']),
        label: z.string(),
        survives: z.string(),
        monthlyTotalUsd: z.number(),
        monthly2022Usd: z.number().optional(),
        note: z.string().optional(),
      }),
    )
    .optional(),
});

const webhookProvider = z.enum(['github', 'gitlab', 'gitea']);
const liveHook = z.object({
  id: z.number(),
  url: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  contentType: z.string().optional(),
  tlsVerification: z.boolean().optional(),
  secretSet: z.boolean().optional(),
});

/** What `ci setup` prints: the values a pipeline needs, and what the deployer was given. */
const ciSetupResult = z.object({
  system: z.enum(['github', 'gitlab']),
  repo: z.string(),
  project: z.string(),
  projectNumber: z.string(),
  workloadIdentityProvider: z.string(),
  serviceAccount: z.string(),
  principal: z.string(),
  attributeCondition: z.string(),
  audience: z.string().optional(),
  role: z.string(),
  permissions: z.array(z.string()),
  actAs: z.array(z.string()),
  changes: z.number(),
  /** GitHub: the repository variables `ci init github`'s workflows read. */
  variables: z.record(z.string(), z.string()).optional(),
  nextSteps: z.array(z.string()),
});

/** A LogEntry as Cloud Logging returns it (proto3 JSON), passed through untouched. */
const logEntry = z.record(z.string(), z.unknown());

/** A streamed item of `logs --follow --json`: one line per entry, as it arrives. */
export const itemLine = z.object({ type: z.literal('log-entry'), entry: logEntry, time: z.string() });

const newerVersion = z.object({ tag: z.string(), prerelease: z.boolean(), releaseNotes: z.string() });
const upgradeBase = z.object({
  current: z.string(),
  currentSource: z.enum(['deployed', 'config']),
  versions: z.array(newerVersion),
  configPath: z.string(),
});

const revisionInfo = z.object({
  name: z.string(),
  ready: z.boolean(),
  message: z.string().optional(),
  createTime: z.string().optional(),
  version: z.string().optional(),
  percent: z.number(),
  latest: z.boolean(),
});

/** Each command's result, without the `ok` and `command` every result carries. */
export const RESULTS = {
  init: z.object({
    configPath: z.string(),
    files: z.array(z.string()),
    project: z.string(),
    region: z.string(),
    service: z.string(),
    provider: z.string(),
    secrets: z.array(
      z.object({
        name: z.string(),
        secretId: z.string(),
        source: z.object({ kind: z.string() }).loose(),
        status: z.enum(['to-supply', 'pushed']),
      }),
    ),
    nextSteps: z.array(z.string()),
  }),
  render: z.object({
    project: z.string(),
    region: z.string(),
    projectNumber: z.string(),
    url: z.string(),
    webhookUrl: z.string(),
    apis: z.array(z.string()),
    repository: z
      .object({ name: z.string(), repositoryId: z.string(), location: z.string(), body: z.record(z.string(), z.unknown()) })
      .nullable(),
    secrets: z.array(
      z.object({
        name: secretName,
        secretId: z.string(),
        resource: z.string(),
        origin: z.enum(['user', 'generated', 'derived']),
        description: z.string(),
        source: z.object({ kind: z.enum(['env', 'file', 'generated', 'derived', 'none']) }).loose(),
        delivery: z.record(z.string(), z.unknown()),
        labels: z.record(z.string(), z.string()),
      }),
    ),
    serviceAccount: z.object({ accountId: z.string(), email: z.string(), displayName: z.string(), description: z.string() }),
    bindings: z.array(z.object({ resource: z.string(), role: z.string(), member: z.string() })),
    image: z.object({ reference: z.string(), upstream: z.string().optional(), resolved: z.boolean() }),
    /** The Cloud Run v2 Service as it would be sent (proto3 JSON). */
    service: z.record(z.string(), z.unknown()),
    domain: z.object({ name: z.string(), routeName: z.string() }).nullable(),
    /** Where plans, locks and the data dir live, what a restart keeps, and the resources behind them. */
    persistence: z.object({
      plans: z.string(),
      locks: z.string(),
      dataDir: z.string(),
      survivesRestart: z.object({ kept: z.array(z.string()), lost: z.array(z.string()) }),
      bucket: z.record(z.string(), z.unknown()).nullable(),
      network: z.object({ network: z.string(), subnet: z.string(), region: z.string(), range: z.string() }).nullable(),
      redis: z.record(z.string(), z.unknown()).nullable(),
      filestore: z.record(z.string(), z.unknown()).nullable(),
    }),
    /** image.strategy build: where and how the image is built, and its Dockerfile. */
    build: z
      .object({
        kind: z.enum(['recipe', 'context']),
        builder: z.enum(['cloud-build', 'local', 'docker', 'podman', 'buildah']),
        repository: z.object({ name: z.string(), repositoryId: z.string(), location: z.string(), body: z.record(z.string(), z.unknown()) }),
        image: z.string(),
        base: z.string(),
        tools: z.record(z.string(), z.string()).optional(),
        context: z.string().optional(),
        dockerfile: z.string().optional(),
        mirror: z.string().optional(),
        serviceAccount: z.object({ accountId: z.string(), email: z.string(), displayName: z.string(), description: z.string() }).optional(),
        bindings: z.array(z.object({ resource: z.string(), role: z.string(), member: z.string() })),
        bucket: z.object({ name: z.string(), body: z.record(z.string(), z.unknown()) }).optional(),
        timeout: z.string(),
        dockerfileText: z.string(),
        files: z.number().optional(),
        ignored: z.number().optional(),
      })
      .nullable(),
  }),
  plan: z.object({
    changes: z.array(phaseChange),
    counts: z.object({ create: z.number(), update: z.number(), delete: z.number() }),
    changeCount: z.number(),
  }),
  deploy: z.union([deployReport, cancelledResult.extend({ changes: z.literal(0) })]),
  status: deploymentStatus,
  destroy: z.union([
    z.object({ deleted: z.array(z.object({ kind: z.string(), resource: z.string() })), kept: z.array(z.string()) }),
    cancelledResult.extend({ deleted: z.array(z.never()) }),
  ]),
  cost: costResult,
  'secrets push': pushResult,
  'secrets list': listResult.extend({ service: z.string() }),
  'secrets rotate': z.union([
    pushResult.extend({
      name: secretName,
      secretId: z.string(),
      version: z.string(),
      output: z.string().optional(),
      webhookUrl: z.string().optional(),
      /** With --update-webhooks: the hook that got the new secret. */
      webhook: z
        .object({
          provider: webhookProvider,
          target: z.string(),
          url: z.string(),
          action: z.enum(['created', 'updated', 'unchanged']),
          hookId: z.number(),
        })
        .optional(),
      steps: z.array(z.string()),
    }),
    cancelledResult,
  ]),
  'secrets show': z.object({
    name: secretName,
    secretId: z.string(),
    version: z.string(),
    which: z.enum(['in use', 'newest']),
    output: z.string(),
  }),
  'webhook add': z.object({
    provider: webhookProvider,
    target: z.string(),
    url: z.string(),
    action: z.enum(['created', 'updated', 'unchanged']),
    hookId: z.number(),
    events: z.array(z.string()),
    changes: z.array(z.string()),
    duplicates: z.array(z.number()),
    secret: z.object({ secretId: z.string(), version: z.string() }),
  }),
  'webhook list': z.object({
    provider: webhookProvider,
    target: z.string(),
    atlantisUrl: z.string().nullable(),
    hooks: z.array(liveHook.extend({ atlantis: z.boolean() })),
  }),
  'webhook remove': z.union([
    z.object({ provider: webhookProvider, target: z.string(), url: z.string(), removed: z.array(z.number()) }),
    cancelledResult,
  ]),
  'ci init': z.object({
    system: z.enum(['github', 'gitlab']),
    files: z.array(z.object({ path: z.string(), action: z.enum(['created', 'replaced']), description: z.string() })),
    nextSteps: z.array(z.string()),
  }),
  'ci setup': z.union([ciSetupResult, cancelledResult.extend({ changes: z.literal(0) })]),
  'ci teardown': z.union([
    z.object({ deleted: z.array(z.object({ kind: z.string(), resource: z.string() })) }),
    cancelledResult.extend({ deleted: z.array(z.never()) }),
  ]),
  logs: z.object({
    project: z.string(),
    region: z.string(),
    service: z.string(),
    /** The Logging query language filter that was used. */
    filter: z.string(),
    since: z.string(),
    /** With --follow the entries were streamed as `log-entry` lines; `entries` is then empty. */
    followed: z.boolean(),
    count: z.number(),
    entries: z.array(logEntry),
  }),
  upgrade: z.union([
    upgradeBase.extend({ action: z.enum(['listed', 'up-to-date']) }),
    upgradeBase.extend({ action: z.literal('edited'), target: z.string(), changes: z.number() }),
    upgradeBase.extend({
      action: z.literal('upgraded'),
      target: z.string(),
      changes: z.number(),
      revision: z.string().optional(),
      image: z.string().optional(),
      url: z.string(),
    }),
    cancelledResult.extend({ current: z.string(), target: z.string() }),
  ]),
  rollback: z.union([
    z.object({ action: z.literal('listed'), service: z.string(), revisions: z.array(revisionInfo) }),
    z.object({
      action: z.enum(['rolled-back', 'already-serving']),
      service: z.string(),
      from: z.string().optional(),
      to: z.string(),
      version: z.string().optional(),
      secrets: z.array(z.object({ secretId: z.string(), version: z.string(), action: z.enum(['kept', 'enabled']) })),
      url: z.string().optional(),
      notes: z.array(z.string()),
    }),
    cancelledResult,
  ]),
} as const;

export type ResultCommand = keyof typeof RESULTS;
export type ResultOf<C extends ResultCommand> = z.infer<(typeof RESULTS)[C]>;

/** What a failed command's last line carries. */
export const errorResult = z.object({
  type: z.literal('result'),
  ok: z.literal(false),
  command: z.string(),
  error: z.object({ message: z.string(), hint: z.string().optional(), exitCode: z.number(), debugLog: z.string().optional() }),
});

/** A result line: `type: "result"`, `ok`, `command`, and the command's fields. */
export function resultLine<C extends ResultCommand>(command: C) {
  const base = z.object({ type: z.literal('result'), ok: z.literal(true), command: z.literal(command) });
  const schema: z.ZodType = RESULTS[command];
  return z.intersection(base, schema);
}

// ─── Compile-time checks: the schemas say exactly what the commands print ────────────────────
// Mutual assignability: a field missing on either side, or of another type, fails the build (JSON
// does not tell `x?: T` from `x: T | undefined`, so neither does this).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type ResultChecks = [
  Assert<Same<z.infer<typeof deployReport>, DeployReport>>,
  Assert<Same<z.infer<typeof deploymentStatus>, DeploymentStatus>>,
  Assert<Same<z.infer<typeof costEstimate>, CostEstimate>>,
  Assert<Same<z.infer<typeof pushResult>, PushResult>>,
  Assert<Same<z.infer<typeof listResult>, ListResult>>,
  Assert<Same<z.infer<typeof plannedChange>, PlannedChange>>,
  Assert<Same<z.infer<typeof liveHook>, LiveHook>>,
  Assert<Same<Omit<z.infer<typeof ciSetupResult>, 'variables' | 'nextSteps'>, CiSetupOutcome>>,
  Assert<Same<z.infer<typeof eventLine>['type'], EngineEvent['type']>>,
  Assert<Same<z.infer<typeof revisionInfo>, RevisionInfo>>,
  Assert<Same<z.infer<typeof newerVersion>, NewerVersion>>,
];
