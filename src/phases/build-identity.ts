// Build identity: the dedicated service account Cloud Build runs image builds as. New projects no
// longer give Cloud Build a usable default account, and a dedicated one holds only what a build
// needs (build-access grants it). Not used by the local builder, which pushes as the caller.
import { desiredState } from '../desired/index.js';
import { recordKey } from '../state/lockfile.js';
import { serviceAccountPhase, type AccountRecord } from './service-account.js';

export const BUILD_IDENTITY_RECORD = recordKey<AccountRecord>('buildServiceAccount');

export const buildIdentityPhase = serviceAccountPhase({
  name: 'build-identity',
  title: 'Build service account',
  needs: ['apis'],
  enabled: (config) => config.image.strategy === 'build' && config.image.builder === 'cloud-build',
  record: BUILD_IDENTITY_RECORD,
  account: (config) => desiredState(config).build?.serviceAccount,
  disabled: (email) => ({
    message: `build service account ${email} is disabled`,
    hint: `enable it: gcloud iam service-accounts enable ${email}`,
  }),
});
