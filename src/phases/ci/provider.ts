// CI provider: the OIDC provider of one CI system (id `github` or `gitlab`) in the CI pool, whose
// attribute condition admits the tokens of exactly one repository. Created, undeleted after a
// teardown, or updated field by field (a new --repo changes the condition; never unrestricted).
// Teardown removes the providers of both systems.
import { absentIfDisabled } from '../../engine/context.js';
import { definePhase, type PhasePlan, type TeardownStep } from '../../engine/phase.js';
import type { FieldChange } from '../../engine/events.js';
import { existing } from '../../gcp/call.js';
import {
  createProvider,
  deleteProvider,
  getProvider,
  providerPath,
  undeleteProvider,
  updateProvider,
  type ProviderFields,
  type WorkloadIdentityPoolProvider,
} from '../../gcp/apis/workload-identity.js';
import { lockRecord, recordKey } from '../../state/lockfile.js';
import { differences, requireTarget, waitOf } from './common.js';
import { CI_SYSTEM_NAMES, ciNames, desiredProvider, type CiSystemName, type CiTarget, type DesiredProvider } from './target.js';

interface Live {
  provider: WorkloadIdentityPoolProvider | undefined;
}

type Decision = { action: 'none' | 'create' } | { action: 'update' | 'undelete'; mask: string[]; fields: FieldChange[] };

export const CI_PROVIDERS_RECORD = recordKey<Partial<Record<CiSystemName, { name: string; repo: string }>>>('ciProviders');

function fieldsOf(want: DesiredProvider): ProviderFields {
  return {
    displayName: want.displayName,
    description: want.description,
    disabled: false,
    attributeMapping: want.attributeMapping,
    attributeCondition: want.attributeCondition,
    oidc: want.oidc,
  };
}

function changedFields(live: WorkloadIdentityPoolProvider, want: DesiredProvider) {
  const audiences = (list: string[] | undefined) => [...(list ?? [])].sort();
  return differences([
    { path: 'displayName', mask: 'display_name', live: live.displayName, desired: want.displayName },
    { path: 'description', mask: 'description', live: live.description, desired: want.description },
    { path: 'disabled', mask: 'disabled', live: live.disabled ?? false, desired: false },
    { path: 'attributeMapping', mask: 'attribute_mapping', live: live.attributeMapping, desired: want.attributeMapping },
    { path: 'attributeCondition', mask: 'attribute_condition', live: live.attributeCondition, desired: want.attributeCondition },
    {
      path: 'oidc.issuerUri',
      mask: 'oidc.issuer_uri',
      live: live.oidc?.issuerUri?.replace(/\/+$/, ''),
      desired: want.oidc.issuerUri,
    },
    {
      path: 'oidc.allowedAudiences',
      mask: 'oidc.allowed_audiences',
      live: audiences(live.oidc?.allowedAudiences),
      desired: audiences(want.oidc.allowedAudiences),
    },
  ]);
}

export function ciProviderPhase(target: CiTarget | undefined) {
  return definePhase({
    name: 'ci-provider',
    title: 'Workload identity provider',
    needs: ['ci-pool'],
    enabled: () => true,
    apis: () => ['iam.googleapis.com'],
    permissions: () => [
      'iam.workloadIdentityPoolProviders.get',
      'iam.workloadIdentityPoolProviders.create',
      'iam.workloadIdentityPoolProviders.update',
      'iam.workloadIdentityPoolProviders.undelete',
    ],
    clients: ['token'],
    record: CI_PROVIDERS_RECORD,

    async read(ctx): Promise<Live> {
      const { system } = requireTarget(target);
      const read = getProvider(ctx.gcp, ctx.config.project, ciNames(ctx.config).poolId, system);
      return { provider: await absentIfDisabled(ctx, read, undefined) };
    },

    plan(ctx, live): PhasePlan<Decision> {
      const t = requireTarget(target);
      const want = desiredProvider(ctx.config, t);
      const resource = providerPath(ctx.config.project, ciNames(ctx.config).poolId, t.system);
      if (!live.provider) {
        const fields = Object.entries(fieldsOf(want))
          .filter(([path]) => path !== 'disabled')
          .map(([path, to]) => ({ path, to }));
        return { changes: [{ kind: 'workload identity provider', resource, action: 'create', fields }], decision: { action: 'create' } };
      }
      const { fields, mask } = changedFields(live.provider, want);
      if (live.provider.state === 'DELETED') {
        return {
          changes: [
            { kind: 'workload identity provider', resource, action: 'create', fields, reason: 'undelete: an earlier teardown deleted it' },
          ],
          decision: { action: 'undelete', fields, mask },
        };
      }
      if (mask.length === 0) return { changes: [], decision: { action: 'none' } };
      return {
        changes: [{ kind: 'workload identity provider', resource, action: 'update', fields }],
        decision: { action: 'update', fields, mask },
      };
    },

    async apply(ctx, decision) {
      const t = requireTarget(target);
      const { project } = ctx.config;
      const { poolId } = ciNames(ctx.config);
      const resource = providerPath(project, poolId, t.system);
      const wait = (operation: string) => waitOf(ctx, 'ci-provider', operation, resource);
      const fields = fieldsOf(desiredProvider(ctx.config, t));
      if (decision.action === 'create') await createProvider(ctx.gcp, project, poolId, t.system, fields, wait('creating'));
      if (decision.action === 'undelete') await undeleteProvider(ctx.gcp, project, poolId, t.system, wait('undeleting'));
      if ((decision.action === 'update' || decision.action === 'undelete') && decision.mask.length > 0) {
        await updateProvider(ctx.gcp, project, poolId, t.system, fields, decision.mask, wait('updating'));
      }
      if (decision.action !== 'none') {
        ctx.emit({
          type: 'resource-changed',
          phase: 'ci-provider',
          kind: 'workload identity provider',
          resource,
          action: decision.action === 'update' ? 'update' : 'create',
          ...('fields' in decision ? { fields: decision.fields } : {}),
        });
      }
      const name = providerPath(ctx.facts.projectNumber ?? project, poolId, t.system);
      const others = lockRecord(ctx.lock, CI_PROVIDERS_RECORD) ?? {};
      return { record: { ...others, [t.system]: { name, repo: t.repo } }, summary: `${t.system}: ${t.repo}` };
    },

    teardown: {
      // Both systems' providers: teardown takes no system. Deleted (soft) ones are gone already.
      async read(ctx) {
        const { poolId } = ciNames(ctx.config);
        const found = await Promise.all(
          CI_SYSTEM_NAMES.map(async (system) => {
            const provider = await existing(getProvider(ctx.gcp, ctx.config.project, poolId, system));
            return provider && provider.state !== 'DELETED' ? [system] : [];
          }),
        );
        return found.flat();
      },
      plan: (ctx, systems) => {
        const { poolId } = ciNames(ctx.config);
        return {
          steps: systems.map((system): TeardownStep => {
            const resource = providerPath(ctx.config.project, poolId, system);
            return {
              kind: 'workload identity provider',
              resource,
              id: system,
              run: () => deleteProvider(ctx.gcp, ctx.config.project, poolId, system, waitOf(ctx, 'ci-provider', 'deleting', resource)),
            };
          }),
        };
      },
      forget(record, step) {
        const rest = { ...record };
        delete rest[step.id as CiSystemName];
        return Object.keys(rest).length > 0 ? rest : undefined;
      },
    },
  });
}
