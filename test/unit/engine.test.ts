// The engine's contract, without Google: phases ordered by their needs (through disabled ones), what
// the enabled phases declare collected for preflight / the APIs / the warm-up, plan → decision →
// apply, the apply-time refresh, records written under each phase's key, and destroy walking the same
// graph backwards. A phase defined here in a test file needs no edit anywhere else.
import { describe, expect, it } from 'vitest';
import { definePhase, effectiveNeeds, orderPhases, requirementsOf, type AnyPhase, type PhaseContext } from '../../src/engine/phase.js';
import { runEngine } from '../../src/engine/runner.js';
import { planTeardown, recordsLeft, runTeardown } from '../../src/engine/teardown.js';
import { recordKey } from '../../src/state/lockfile.js';
import { PHASES } from '../../src/phases/index.js';
import { configOf, fakeRun } from '../support/phase-context.js';

/** A phase made of declarations only; `log` hears what it does, in order. */
function fixturePhase(name: string, needs: string[], log: string[], extra: Partial<AnyPhase> = {}) {
  return definePhase({
    name,
    title: `Fixture ${name}`,
    needs,
    enabled: () => true,
    apis: () => [`${name}.googleapis.com`],
    permissions: () => [`${name}.things.create`],
    clients: ['token'],
    record: recordKey<{ made: string }>(name),
    read: async () => ({ exists: false }),
    plan: (_ctx: PhaseContext, live: { exists: boolean }) => ({
      changes: live.exists ? [] : [{ kind: 'thing', resource: name, action: 'create' as const }],
      decision: { create: !live.exists },
    }),
    apply: async (_ctx, decision) => {
      log.push(`apply ${name} ${decision.create ? 'create' : 'keep'}`);
      return { record: { made: name }, summary: name };
    },
    teardown: {
      read: async () => true,
      plan: () => ({ steps: [{ kind: 'thing', resource: name, run: async () => void log.push(`delete ${name}`) }] }),
    },
    ...extra,
  });
}

const warmUpOf = (names: string[]) =>
  ({
    factory: { warmUp: async (needs: string[]) => void names.push(...needs) },
    caller: { throwIfAborted: () => undefined },
  }) as never;

describe('phase ordering', () => {
  const log: string[] = [];
  const a = fixturePhase('a', [], log);
  const b = fixturePhase('b', ['a'], log);
  const c = fixturePhase('c', ['b'], log);
  const d = fixturePhase('d', ['a', 'c'], log);

  it('puts every phase after what it needs, whatever the list order', () => {
    expect(orderPhases([d, c, b, a]).map((p) => p.name)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('resolves needs through disabled phases', () => {
    const all = new Map([a, b, c, d].map((p) => [p.name, p]));
    // c is off: d waits for what c waited for (b), besides a.
    expect([...effectiveNeeds(d, all, new Set(['a', 'b', 'd']))].sort()).toEqual(['a', 'b']);
    // b and c are off: c's and b's needs resolve to a.
    expect([...effectiveNeeds(d, all, new Set(['a', 'd']))]).toEqual(['a']);
  });

  it('refuses a dependency cycle', () => {
    const x = fixturePhase('x', ['y'], log);
    const y = fixturePhase('y', ['x'], log);
    expect(() => orderPhases([x, y])).toThrow(/cycle/);
  });

  it('orders the real phases as the architecture describes', () => {
    // Persistence phases sit where their dependents need them: Memorystore before the secrets
    // (its AUTH string is one), the bucket before the bindings, the subnet and Filestore before the service.
    expect(orderPhases(PHASES).map((p) => p.name)).toEqual([
      'preflight',
      'apis',
      'domain-owner',
      'registry',
      'network',
      'redis',
      'secrets',
      'identity',
      'plans',
      'bindings',
      'build-registry',
      'build-identity',
      'source-bucket',
      'build-access',
      'build',
      'image',
      'subnet',
      'filestore',
      'service',
      'domain',
    ]);
  });
});

describe('what the phases declare', () => {
  it('is collected for the enabled phases only', async () => {
    const config = await configOf();
    const log: string[] = [];
    const off = fixturePhase('off', [], log, { enabled: () => false });
    const req = requirementsOf([fixturePhase('net', [], log), off], config);
    expect(req).toEqual({ apis: ['net.googleapis.com'], permissions: ['net.things.create'], actAs: [], clients: ['token'] });
  });

  it('gives preflight, the APIs phase and the warm-up exactly what the real phases need', async () => {
    const upstream = requirementsOf(PHASES, await configOf());
    expect(upstream.apis).toEqual([
      'artifactregistry.googleapis.com',
      'iam.googleapis.com',
      'run.googleapis.com',
      'secretmanager.googleapis.com',
    ]);
    expect(upstream.permissions).toEqual([
      'artifactregistry.repositories.create',
      'artifactregistry.repositories.downloadArtifacts',
      'artifactregistry.repositories.get',
      'artifactregistry.repositories.update',
      'iam.serviceAccounts.create',
      'iam.serviceAccounts.get',
      'iam.serviceAccounts.update',
      'resourcemanager.projects.get',
      // Every project binding of the runtime account is the tool's business, configured or not.
      'resourcemanager.projects.getIamPolicy',
      'run.operations.get',
      'run.revisions.get',
      'run.services.create',
      'run.services.get',
      'run.services.setIamPolicy',
      'run.services.update',
      'secretmanager.secrets.create',
      'secretmanager.secrets.get',
      'secretmanager.secrets.getIamPolicy',
      'secretmanager.secrets.setIamPolicy',
      'secretmanager.secrets.update',
      'secretmanager.versions.add',
      'secretmanager.versions.list',
      'serviceusage.services.enable',
      'serviceusage.services.get',
      // The run lock in the project: its bucket and object.
      'storage.buckets.create',
      'storage.objects.create',
      'storage.objects.delete',
      'storage.objects.get',
    ]);
    // actAs is asked of the runtime account, never of the project (a project-wide grant would let the
    // deployer act as every account of the project).
    expect(upstream.actAs).toEqual(['atlantis-runtime@my-project.iam.gserviceaccount.com']);
    expect(upstream.clients.sort()).toEqual(['artifactRegistry', 'projects', 'secretManager', 'serviceUsage', 'services', 'token']);

    // Own image outside Artifact Registry, project roles, a domain: the declarations follow.
    const other = requirementsOf(
      PHASES,
      await configOf(`project: my-project
region: europe-west1
domain: atlantis.example.com
image: {strategy: reference, reference: "docker.io/acme/atlantis:v1"}
serviceAccount: {roles: [roles/storage.admin]}
atlantis:
  repoAllowlist: ["github.com/acme/*"]
  vcs: {provider: github, user: bot}
`),
    );
    expect(other.apis).toEqual(['iam.googleapis.com', 'run.googleapis.com', 'secretmanager.googleapis.com']);
    expect(other.permissions).toEqual(
      expect.arrayContaining(['resourcemanager.projects.getIamPolicy', 'resourcemanager.projects.setIamPolicy']),
    );
    expect(other.permissions.filter((p) => p.startsWith('artifactregistry.'))).toEqual([]);
  });

  it('tears down every phase that creates something, and keeps APIs', () => {
    expect(PHASES.filter((p) => p.teardown).map((p) => p.name)).toEqual([
      'registry',
      'secrets',
      'identity',
      'bindings',
      'image',
      'service',
      'domain',
      'network',
      'subnet',
      'plans',
      'redis',
      'filestore',
      'build-registry',
      'build-identity',
      'source-bucket',
      'build-access',
      'build',
    ]);
    expect(recordsLeft({ apis: { enabled: [] } }, PHASES)).toBe(false);
    expect(recordsLeft({ apis: { enabled: [] }, secrets: {} }, PHASES)).toBe(true);
  });
});

describe('runEngine and teardown over fixture phases', () => {
  it('warms up the declared clients, applies decisions in dependency order and records each under its key', async () => {
    const log: string[] = [];
    const warmed: string[] = [];
    const network = fixturePhase('network', [], log, { clients: ['services'] });
    const cache = fixturePhase('cache', ['network'], log);
    const run = fakeRun(await configOf(), undefined, warmUpOf(warmed));
    const result = await runEngine([cache, network], run, { mode: 'deploy' });
    expect(warmed.sort()).toEqual(['services', 'token']);
    expect(log).toEqual(['apply network create', 'apply cache create']);
    expect(result.plan.changeCount).toBe(2);
    expect(run.records).toEqual([{ network: { made: 'network' } }, { cache: { made: 'cache' } }]);
    expect(run.events.filter((e) => e.type === 'resource-changed' && e.planned).map((e) => (e as { resource: string }).resource)).toEqual([
      'network',
      'cache',
    ]);
  });

  it('refreshes a decision with the facts earlier phases established at apply time', async () => {
    const log: string[] = [];
    const first = fixturePhase('first', [], log, {
      apply: async () => ({ record: { made: 'first' }, facts: { image: 'registry.example/app@sha256:real' } }),
    });
    const second = fixturePhase('second', ['first'], log, {
      plan: (ctx: PhaseContext) => ({ changes: [], decision: { image: ctx.facts.image } }),
      refresh: (ctx: PhaseContext) => ({ image: ctx.facts.image }),
      apply: async (_ctx: PhaseContext, decision: { image?: string }) => {
        log.push(`second uses ${decision.image}`);
        return {};
      },
    });
    await runEngine([first, second], fakeRun(await configOf(), undefined, warmUpOf([])), { mode: 'deploy' });
    expect(log).toEqual(['second uses registry.example/app@sha256:real']);
  });

  it('stops at the plan for blockers and in plan mode, and applies nothing', async () => {
    const log: string[] = [];
    const blocked = fixturePhase('blocked', [], log, {
      plan: () => ({ changes: [], blockers: [new Error('no value')], decision: {} }),
    });
    await expect(runEngine([blocked], fakeRun(await configOf(), undefined, warmUpOf([])), { mode: 'deploy' })).rejects.toThrow('no value');
    await runEngine([fixturePhase('p', [], log)], fakeRun(await configOf(), undefined, warmUpOf([])), { mode: 'plan' });
    expect(log).toEqual([]);
  });

  it("reports a root phase's blockers, not the read they explain (a read refused for a permission preflight found missing)", async () => {
    const log: string[] = [];
    const gate = fixturePhase('gate', [], log, {
      plan: () => ({ changes: [], blockers: [new Error('the caller lacks 1 permission: things.getIamPolicy')], decision: {} }),
    });
    const refused = fixturePhase('refused', ['gate'], log, {
      read: async () => {
        throw new Error("Permission 'things.getIamPolicy' denied");
      },
    });
    const config = await configOf();
    const run = () => fakeRun(config, undefined, warmUpOf([]));
    await expect(runEngine([gate, refused], run(), { mode: 'deploy' })).rejects.toThrow('the caller lacks 1 permission');
    // Without a verdict to explain it, the read failure itself.
    const open = fixturePhase('open', [], log);
    await expect(runEngine([open, refused], run(), { mode: 'deploy' })).rejects.toThrow("Permission 'things.getIamPolicy' denied");
    expect(log).toEqual([]);
  });

  it('starts no phase after a failure, and lets independent ones that run finish', async () => {
    const log: string[] = [];
    const failing = fixturePhase('failing', [], log, {
      apply: async () => {
        throw new Error('quota exceeded');
      },
    });
    const after = fixturePhase('after', ['failing'], log);
    await expect(runEngine([failing, after], fakeRun(await configOf(), undefined, warmUpOf([])), { mode: 'deploy' })).rejects.toThrow(
      'quota exceeded',
    );
    expect(log).toEqual([]);
  });

  it('tears down in reverse dependency order and forgets each record as its resources go', async () => {
    const log: string[] = [];
    const network = fixturePhase('network', [], log);
    const cache = fixturePhase('cache', ['network'], log);
    const app = fixturePhase('app', ['cache', 'network'], log);
    const config = await configOf();
    const lock = { ...fakeRun(config).written!, resources: { network: { made: 'n' }, cache: { made: 'c' }, app: { made: 'a' } } };
    const run = fakeRun(config, lock, warmUpOf([]));
    const phases = [network, cache, app];
    const plan = await planTeardown(phases, run, { purgeSecrets: false });
    const deleted: string[] = [];
    await runTeardown(plan, phases, run, (step) => deleted.push(step.resource));
    expect(log).toEqual(['delete app', 'delete cache', 'delete network']);
    expect(deleted).toEqual(['app', 'cache', 'network']);
    expect(run.written?.resources).toEqual({});
  });
});
