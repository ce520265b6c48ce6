// The CI phase list: what `ci setup` converges in one engine run (plan, confirm, apply, record) and
// `ci teardown` removes through the same needs graph backwards. It reuses preflight (with its own
// advice), the APIs phase (IAM, STS, IAM Credentials) and the identity phases of the accounts a deploy
// acts as — the runtime account, and Cloud Build's when it builds the image (the deployer is granted
// actAs on exactly those accounts, so they must exist); the rest is CI-only. `destroy`
// never sees these phases: it walks PHASES.
import { apisPhase } from '../apis.js';
import { buildIdentityPhase } from '../build-identity.js';
import { identityPhase } from '../identity.js';
import { preflightPhaseWith } from '../preflight.js';
import { ciAccessPhase } from './access.js';
import { ciDeployerPhase } from './deployer.js';
import { ciPoolPhase } from './pool.js';
import { ciProviderPhase } from './provider.js';
import { ciRolePhase } from './role.js';
import type { CiTarget } from './target.js';

export const CI_PERMISSION_HINT =
  'ci setup is run once by an administrator, not by the pipeline: grant roles/owner, or roles/iam.workloadIdentityPoolAdmin + roles/iam.serviceAccountAdmin + roles/iam.roleAdmin + roles/resourcemanager.projectIamAdmin + roles/serviceusage.serviceUsageAdmin';

// The deploy's APIs record lists what a deploy enabled; this run enables other APIs and keeps no record of them.
const { record: _deployRecord, ...ciApisPhase } = apisPhase;

const ciPreflightPhase = preflightPhaseWith(CI_PERMISSION_HINT);

export function ciSetupPhases(target: CiTarget) {
  return [
    ciPreflightPhase,
    ciApisPhase,
    identityPhase,
    buildIdentityPhase,
    ciPoolPhase,
    ciProviderPhase(target),
    ciDeployerPhase,
    ciRolePhase,
    ciAccessPhase(target),
  ] as const;
}

/** What `ci teardown` removes (not the runtime account: that is the deployment's). */
export function ciTeardownPhases() {
  return [ciPoolPhase, ciProviderPhase(undefined), ciDeployerPhase, ciRolePhase, ciAccessPhase(undefined)] as const;
}

export { CI_ACCESS_RECORD, SERVICE_ACCOUNT_USER, WORKLOAD_IDENTITY_USER } from './access.js';
export { CI_DEPLOYER_RECORD } from './deployer.js';
export { CI_POOL_RECORD } from './pool.js';
export { CI_PROVIDERS_RECORD } from './provider.js';
export { CI_ROLE_RECORD, deployerPermissions, desiredRole } from './role.js';
export * from './target.js';
