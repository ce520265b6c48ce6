// `ci setup` and `ci teardown` as use cases over the CI phase list: setup is one engine run (read,
// plan, confirm, apply, record) whose result names what a pipeline needs; teardown is the engine's
// teardown walk over the CI-only phases, leaving the deployment (and its runtime account) alone.
import type { RunContext } from '../engine/context.js';
import type { TeardownStep } from '../engine/phase.js';
import { resultOf, runEngine, type EnginePlan } from '../engine/runner.js';
import { planTeardown, runTeardown, type DestroyPlan } from '../engine/teardown.js';
import { providerPath } from '../gcp/apis/workload-identity.js';
import {
  ciNames,
  ciSetupPhases,
  ciTeardownPhases,
  CI_ROLE_RECORD,
  desiredRole,
  repositoryPrincipal,
  type CiSystemName,
  type CiTarget,
} from '../phases/ci/index.js';
import { actedAs } from '../phases/ci/access.js';
import { desiredProvider } from '../phases/ci/target.js';

export interface CiSetupOutcome {
  system: CiSystemName;
  repo: string;
  project: string;
  projectNumber: string;
  /** projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/SYSTEM */
  workloadIdentityProvider: string;
  /** The deployer the pipeline acts as. */
  serviceAccount: string;
  /** The principal set of the repository's pipelines. */
  principal: string;
  attributeCondition: string;
  /** GitLab: the audience the job's ID token must carry. */
  audience?: string;
  /** The custom role and its permissions (exactly what the enabled phases declare). */
  role: string;
  permissions: string[];
  /** The accounts the deployer may act as (roles/iam.serviceAccountUser on each). */
  actAs: string[];
  changes: number;
}

export interface CiSetupRun {
  cancelled: boolean;
  plan: EnginePlan;
  outcome?: CiSetupOutcome;
}

export async function runCiSetup(run: RunContext, target: CiTarget, confirm: (plan: EnginePlan) => Promise<boolean>): Promise<CiSetupRun> {
  const result = await runEngine(ciSetupPhases(target), run, { mode: 'deploy', confirm });
  if (result.cancelled) return { cancelled: true, plan: result.plan };
  const { config } = run;
  const projectNumber = result.facts.projectNumber!;
  const { poolId, deployerEmail, roleId } = ciNames(config);
  const provider = desiredProvider(config, target);
  const role = resultOf(result, { name: 'ci-role', record: CI_ROLE_RECORD })?.record?.name ?? `projects/${config.project}/roles/${roleId}`;
  return {
    cancelled: false,
    plan: result.plan,
    outcome: {
      system: target.system,
      repo: target.repo,
      project: config.project,
      projectNumber,
      workloadIdentityProvider: providerPath(projectNumber, poolId, target.system),
      serviceAccount: deployerEmail,
      principal: repositoryPrincipal(projectNumber, poolId, target),
      attributeCondition: provider.attributeCondition,
      ...(target.system === 'gitlab' && provider.oidc.allowedAudiences ? { audience: provider.oidc.allowedAudiences[0] } : {}),
      role,
      permissions: desiredRole(config).includedPermissions,
      actAs: actedAs(config),
      changes: result.plan.changeCount,
    },
  };
}

export function planCiTeardown(run: RunContext): Promise<DestroyPlan> {
  return planTeardown(ciTeardownPhases(), run, { purgeSecrets: false });
}

export function runCiTeardown(run: RunContext, plan: DestroyPlan): Promise<TeardownStep[]> {
  return runTeardown(plan, ciTeardownPhases(), run, (step) =>
    run.emit({ type: 'resource-changed', phase: 'ci teardown', kind: step.kind, resource: step.resource, action: 'delete' }),
  );
}
