// Identity: the dedicated runtime service account. Created as early as the APIs allow, because IAM
// takes a while to show a new account to other APIs (bindings then retry until it does).
import { desiredState } from '../desired/index.js';
import { recordKey } from '../state/lockfile.js';
import { serviceAccountPhase, type AccountRecord } from './service-account.js';

export const IDENTITY_RECORD = recordKey<AccountRecord>('serviceAccount');

export const identityPhase = serviceAccountPhase({
  name: 'identity',
  title: 'Runtime service account',
  needs: ['apis', 'domain-owner'],
  enabled: () => true,
  record: IDENTITY_RECORD,
  account: (config) => desiredState(config).serviceAccount,
  disabled: (email) => ({
    message: `service account ${email} is disabled`,
    hint: `enable it: gcloud iam service-accounts enable ${email}`,
  }),
});
