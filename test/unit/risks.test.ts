// The risky settings, as pure functions of the configuration and the live service: which allowlist
// entries admit anyone, which roles are broad, and when a deploy would switch a generated secret.
import { describe, expect, it } from 'vitest';
import { admitsAnyRepository, configRisks, unacknowledged } from '../../src/config/risks.js';
import type { RunService } from '../../src/gcp/apis/run.js';
import { servicePhase } from '../../src/phases/service.js';
import { emptyLockfile } from '../../src/state/lockfile.js';
import { configOf, fakeRun, phaseContext } from '../support/phase-context.js';
import { MINIMAL_CONFIG } from '../support/fixtures.js';

describe('risky settings', () => {
  it('an allowlist entry admits anyone on a public host or everywhere, not on an own host or an owner', () => {
    for (const entry of ['*', '*/*', 'github.com/*', 'GitLab.com/**', 'bitbucket.org/*'])
      expect(admitsAnyRepository(entry), entry).toBe(true);
    for (const entry of ['github.com/acme/*', 'github.acme.com/*', 'gitlab.com/group/sub/*'])
      expect(admitsAnyRepository(entry), entry).toBe(false);
  });

  it('names the config risks by the phase that puts them live, and leaves out what is accepted', async () => {
    const config = await configOf(
      `${MINIMAL_CONFIG}access: {uiAuth: false, ingress: internal-and-load-balancer}\nserviceAccount: {roles: [roles/editor, roles/viewer]}\n`,
    );
    const risks = configRisks(config);
    expect(risks.service).toEqual([]); // behind a load balancer, the UI is not open to the internet
    expect(risks.bindings.map((r) => r.risk)).toEqual(['broad-role']);
    expect(risks.bindings[0].message).toContain('roles/editor');
    expect(unacknowledged(risks.bindings, ['broad-role'])).toEqual([]);
  });

  it('a generated secret whose newest version no command rolled out is called out, unless staged on purpose', async () => {
    const config = await configOf();
    const versions = { 'vcs-token': '1', 'webhook-secret': '2', 'web-password': '1' };
    const pinned = (ctx: ReturnType<typeof phaseContext>): RunService => {
      const live = structuredClone(ctx.desired().service);
      for (const env of live.template!.containers![0].env!)
        if (env.name === 'ATLANTIS_GH_WEBHOOK_SECRET') env.valueSource!.secretKeyRef!.version = '1';
      return live;
    };
    const ctx = phaseContext(fakeRun(config), { projectNumber: '1', secretVersions: versions });
    const plan = servicePhase.plan(ctx, { service: pinned(ctx), retired: [] });
    expect(plan.warnings?.map((w) => w.risk)).toEqual(['secret-switch']);
    expect(plan.warnings?.[0]?.hint).toContain('atlantis-run secrets show webhook-secret');

    const lock = emptyLockfile('t', { project: config.project, region: config.region, service: config.service });
    lock.resources.secrets = {
      'webhook-secret': { name: 'projects/my-project/secrets/atlantis-webhook-secret', version: '1', stagedVersion: '2' },
    };
    const staged = phaseContext(fakeRun(config, lock), { projectNumber: '1', secretVersions: versions });
    expect(servicePhase.plan(staged, { service: pinned(staged), retired: [] }).warnings).toEqual([]);
  });
});
