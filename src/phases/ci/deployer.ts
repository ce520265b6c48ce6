// CI deployer: the service account pipelines act as (SERVICE-deployer). It holds nothing by itself:
// the custom role (ci-role) and the grants (ci-access) give it exactly what a deploy needs.
import type { AtlantisRunConfig } from '../../config/load.js';
import { recordKey } from '../../state/lockfile.js';
import { serviceAccountPhase, type AccountRecord, type OwnedAccount } from '../service-account.js';
import { ciNames } from './target.js';

export const CI_DEPLOYER_RECORD = recordKey<AccountRecord>('ciDeployer');

export function desiredDeployer(config: AtlantisRunConfig): OwnedAccount {
  const { deployerId, deployerEmail } = ciNames(config);
  return {
    accountId: deployerId,
    email: deployerEmail,
    displayName: `atlantis-run deployer (${config.service})`,
    description: `CI pipelines deploy the Cloud Run service ${config.service} as this account (atlantis-run ci setup)`,
  };
}

export const ciDeployerPhase = serviceAccountPhase({
  name: 'ci-deployer',
  title: 'Deployer service account',
  needs: ['apis'],
  enabled: () => true,
  record: CI_DEPLOYER_RECORD,
  account: desiredDeployer,
  disabled: (email) => ({
    message: `the deployer service account ${email} is disabled`,
    hint: `enable it (gcloud iam service-accounts enable ${email}), or remove everything with \`atlantis-run ci teardown\``,
  }),
});
