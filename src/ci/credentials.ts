// The credential configuration file a GitLab pipeline commits: the `external_account` format that
// google-auth-library reads from GOOGLE_APPLICATION_CREDENTIALS (the same file `gcloud iam
// workload-identity-pools create-cred-config … --credential-source-file` writes). It names where the
// job's ID token is and which service account to impersonate; it holds no secret.
import { UsageError } from '../errors.js';

export const PROVIDER_PATTERN =
  /^projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([a-z0-9-]{4,32})\/providers\/([a-z0-9-]{4,32})$/;
export const SERVICE_ACCOUNT_PATTERN = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

export function checkProvider(value: string): string {
  const v = value.trim().replace(/^\/\/iam\.googleapis\.com\//, '');
  if (!PROVIDER_PATTERN.test(v)) {
    throw new UsageError(
      `--workload-identity-provider: expected projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER, got "${value}"`,
      {
        hint: '`atlantis-run ci setup` prints it; the project NUMBER, not its id',
      },
    );
  }
  return v;
}

export function checkServiceAccount(value: string): string {
  const v = value.trim();
  if (!SERVICE_ACCOUNT_PATTERN.test(v)) {
    throw new UsageError(
      `--service-account: expected a service account e-mail such as atlantis-deployer@my-project.iam.gserviceaccount.com, got "${value}"`,
    );
  }
  return v;
}

export interface CredentialConfig {
  universe_domain: string;
  type: 'external_account';
  audience: string;
  subject_token_type: string;
  token_url: string;
  credential_source: { file: string; format: { type: 'text' } };
  service_account_impersonation_url: string;
}

/** `tokenFile`: where the job writes its ID token (relative to the job's working directory). */
export function credentialConfig(provider: string, serviceAccount: string, tokenFile: string): CredentialConfig {
  return {
    universe_domain: 'googleapis.com',
    type: 'external_account',
    audience: `//iam.googleapis.com/${checkProvider(provider)}`,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: 'https://sts.googleapis.com/v1/token',
    credential_source: { file: tokenFile, format: { type: 'text' } },
    service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${checkServiceAccount(serviceAccount)}:generateAccessToken`,
  };
}
