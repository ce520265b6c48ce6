// Why Google credentials could not be used, in words a user can act on: none set up on this
// machine, a credentials file that is missing or unreadable, Google unreachable while getting a
// token, a token Google refuses (revoked, expired, a CI provider that does not match), or a service
// account that may not be impersonated. Each is an environment problem with its fix, never "a bug".
// (No Google library is imported here: the shapes are read off the errors google-auth-library throws.)
import { OperationError } from '../errors.js';

/** Failures that mean "the network did not carry the request" (Node, undici and DNS codes). */
const NETWORK_CODES = new Set([
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

/** OAuth 2.0 error codes (RFC 6749 §5.2) meaning "these credentials are no good any more". */
const REFUSED_GRANTS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'invalid_rapt', 'invalid_request']);

const LOGIN_HINT =
  'on a laptop: `gcloud auth application-default login`; in CI: GOOGLE_APPLICATION_CREDENTIALS naming a workload identity ' +
  'credential configuration (`atlantis-run ci init` writes one) or a key file. --emulator needs no credentials';

interface ErrorShape {
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  response?: { status?: number; data?: unknown; config?: { url?: unknown } };
}

export interface CredentialContext {
  env: NodeJS.ProcessEnv;
  /** --impersonate-service-account, when given. */
  impersonate?: string | undefined;
}

/** The classified error for a failure while loading credentials or getting an access token. */
export function credentialsError(err: unknown, context: CredentialContext): OperationError {
  const e = (err && typeof err === 'object' ? err : {}) as ErrorShape;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const file = context.env.GOOGLE_APPLICATION_CREDENTIALS;
  const options = { cause: err };

  if (message.startsWith('Could not load the default credentials')) {
    return new OperationError('no Google credentials: Application Default Credentials are not set up on this machine', {
      ...options,
      hint: LOGIN_HINT,
    });
  }
  if (message.includes('GOOGLE_APPLICATION_CREDENTIALS')) {
    const missing = e.code === 'ENOENT' || /does not exist/.test(message);
    const why = missing
      ? 'does not exist'
      : `cannot be used: ${message.replace(/^Unable to read the credential file specified by the GOOGLE_APPLICATION_CREDENTIALS environment variable: /, '')}`;
    return new OperationError(
      `the credentials file ${file ?? '(GOOGLE_APPLICATION_CREDENTIALS)'} named by GOOGLE_APPLICATION_CREDENTIALS ${why}`,
      {
        ...options,
        hint: 'point GOOGLE_APPLICATION_CREDENTIALS at the key or credential configuration file, or unset it to use `gcloud auth application-default login`',
      },
    );
  }
  const code = networkCode(err);
  if (code) {
    const host = hostOf(e) ?? 'Google';
    return new OperationError(`could not reach ${host} to get an access token (${code}): no network, or a proxy or firewall in the way`, {
      ...options,
      hint: 'check the connection (and HTTPS_PROXY if you need a proxy), then run the command again; nothing was changed',
    });
  }
  const grant = oauthError(e);
  if (grant && REFUSED_GRANTS.has(grant.error)) {
    return new OperationError(
      `Google refused the credentials when asked for an access token: ${grant.error}${grant.description ? ` (${grant.description})` : ''}`,
      {
        ...options,
        hint: 'they are revoked or expired: sign in again with `gcloud auth application-default login`; in CI check the workload identity provider and the credential configuration',
      },
    );
  }
  if (context.impersonate && (e.response?.status === 403 || /iam\.serviceAccounts\.getAccessToken|PERMISSION_DENIED/.test(message))) {
    return new OperationError(`cannot act as ${context.impersonate} (--impersonate-service-account): ${message}`, {
      ...options,
      hint: `your account needs roles/iam.serviceAccountTokenCreator on it: gcloud iam service-accounts add-iam-policy-binding ${context.impersonate} --member=user:YOUR_ACCOUNT --role=roles/iam.serviceAccountTokenCreator`,
    });
  }
  return new OperationError(`could not get Google credentials: ${message}`, { ...options, hint: LOGIN_HINT });
}

/** The network error code anywhere in the cause chain, if the failure was the network's. */
export function networkCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function hostOf(e: ErrorShape): string | undefined {
  const url = typeof e.response?.config?.url === 'string' ? e.response.config.url : undefined;
  const text = url ?? (typeof e.message === 'string' ? e.message : '');
  return /https?:\/\/([^/\s:]+)/.exec(text)?.[1];
}

function oauthError(e: ErrorShape): { error: string; description?: string } | undefined {
  const data = e.response?.data as { error?: unknown; error_description?: unknown } | undefined;
  if (data && typeof data.error === 'string') {
    return { error: data.error, ...(typeof data.error_description === 'string' ? { description: data.error_description } : {}) };
  }
  const match = /\b(invalid_grant|invalid_client|unauthorized_client|invalid_rapt)\b:?\s*(.*)$/.exec(
    typeof e.message === 'string' ? e.message : '',
  );
  return match ? { error: match[1], ...(match[2] ? { description: match[2] } : {}) } : undefined;
}
