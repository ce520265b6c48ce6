// What Atlantis needs, per VCS provider: its non-secret settings as ATLANTIS_* variables, and the
// secrets it reads. Flag names follow Atlantis' server configuration docs (every flag has an
// ATLANTIS_<UPPER_SNAKE> variable).
import { persistenceSettings } from '../config/persistence.js';
import type { ParsedConfig, VcsConfig, VcsProviderName } from '../config/schema.js';

/** Logical secret names: stable, user-facing, mapped to Secret Manager ids as `<service>-<name>`. */
export const SECRET_NAMES = [
  'vcs-token',
  'github-app-key',
  'webhook-secret',
  'web-password',
  'repo-config',
  'server-config',
  'redis-password',
  'redis-ca',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export type SecretKind = 'token' | 'pem' | 'password' | 'yaml' | 'certificate';

export interface SecretSpec {
  name: SecretName;
  description: string;
  /**
   * `generated` values are created once by the tool (CSPRNG) and never regenerated; `derived` values
   * are read from another resource the tool manages (the Memorystore instance's AUTH string and CA).
   */
  origin: 'user' | 'generated' | 'derived';
  /** For `derived` secrets: where the value is read from, in words. */
  derivedFrom?: string;
  kind: SecretKind;
  /** How Atlantis receives it: an environment variable, or a `.yaml` file in a secret volume. */
  delivery:
    | { env: string }
    | {
        file: {
          mountPath: string;
          fileName: string;
          env: string;
          /** What `env` points at: the file (default) or the folder holding it (SSL_CERT_DIR). */
          envPointsAt?: 'file' | 'folder';
        };
      };
}

interface ProviderInfo {
  label: string;
  /** Variable that receives the token (none for GitHub App, which uses a private key). */
  tokenEnv?: string;
  /** Variable that receives the webhook secret (Azure DevOps: the webhook basic-auth password). */
  webhookEnv?: string;
  /** Where the provider's settings page for webhooks is, for the report. */
  webhookHelp: string;
}

export const PROVIDERS: Record<VcsProviderName, ProviderInfo> = {
  github: {
    label: 'GitHub',
    tokenEnv: 'ATLANTIS_GH_TOKEN',
    webhookEnv: 'ATLANTIS_GH_WEBHOOK_SECRET',
    webhookHelp:
      'GitHub: repository or organisation Settings → Webhooks → Add webhook (content type application/json; events: Issue comments, Pull requests, Pull request reviews, Pushes)',
  },
  'github-app': {
    label: 'GitHub App',
    webhookEnv: 'ATLANTIS_GH_WEBHOOK_SECRET',
    webhookHelp: 'GitHub App: the App settings → General → Webhook URL and Webhook secret (do not also add repository webhooks)',
  },
  gitlab: {
    label: 'GitLab',
    tokenEnv: 'ATLANTIS_GITLAB_TOKEN',
    webhookEnv: 'ATLANTIS_GITLAB_WEBHOOK_SECRET',
    webhookHelp: 'GitLab: project or group Settings → Webhooks (Secret token; triggers: Push events, Comments, Merge request events)',
  },
  bitbucket: {
    label: 'Bitbucket',
    tokenEnv: 'ATLANTIS_BITBUCKET_TOKEN',
    webhookEnv: 'ATLANTIS_BITBUCKET_WEBHOOK_SECRET',
    webhookHelp:
      'Bitbucket: repository settings → Webhooks (Secret: the webhook secret; events: Pull request created/updated/merged/declined, comment created)',
  },
  azuredevops: {
    label: 'Azure DevOps',
    tokenEnv: 'ATLANTIS_AZUREDEVOPS_TOKEN',
    webhookEnv: 'ATLANTIS_AZUREDEVOPS_WEBHOOK_PASSWORD',
    webhookHelp:
      'Azure DevOps: Project settings → Service hooks → Web Hooks (basic authentication user and password; pull request created/updated, commented)',
  },
  gitea: {
    label: 'Gitea',
    tokenEnv: 'ATLANTIS_GITEA_TOKEN',
    webhookEnv: 'ATLANTIS_GITEA_WEBHOOK_SECRET',
    webhookHelp:
      'Gitea: repository Settings → Webhooks → Add webhook → Gitea (content type application/json; secret; pull request and comment events)',
  },
};

/** Non-secret ATLANTIS_* settings derived from the VCS block. */
export function vcsEnvironment(vcs: VcsConfig): Record<string, string> {
  const env: Record<string, string | number | undefined> = {};
  switch (vcs.provider) {
    case 'github':
      Object.assign(env, {
        ATLANTIS_GH_USER: vcs.user,
        ATLANTIS_GH_HOSTNAME: vcs.hostname,
        ATLANTIS_GH_ORG: vcs.org,
        ATLANTIS_GH_TEAM_ALLOWLIST: vcs.teamAllowlist,
      });
      break;
    case 'github-app':
      Object.assign(env, {
        ATLANTIS_GH_APP_ID: vcs.appId,
        ATLANTIS_GH_APP_SLUG: vcs.slug,
        ATLANTIS_GH_APP_INSTALLATION_ID: vcs.installationId,
        ATLANTIS_GH_HOSTNAME: vcs.hostname,
        ATLANTIS_GH_ORG: vcs.org,
        // Lets Atlantis clone with the App's installation token (Atlantis' GitHub App docs).
        ATLANTIS_WRITE_GIT_CREDS: 'true',
      });
      break;
    case 'gitlab':
      Object.assign(env, {
        ATLANTIS_GITLAB_USER: vcs.user,
        ATLANTIS_GITLAB_HOSTNAME: vcs.hostname,
        ATLANTIS_GITLAB_GROUP_ALLOWLIST: vcs.groupAllowlist,
      });
      break;
    case 'bitbucket':
      Object.assign(env, {
        ATLANTIS_BITBUCKET_USER: vcs.user,
        ATLANTIS_BITBUCKET_BASE_URL: vcs.baseUrl,
        ATLANTIS_BITBUCKET_API_USER: vcs.apiUser,
      });
      break;
    case 'azuredevops':
      Object.assign(env, {
        ATLANTIS_AZUREDEVOPS_USER: vcs.user,
        ATLANTIS_AZUREDEVOPS_WEBHOOK_USER: vcs.webhookUser,
        ATLANTIS_AZUREDEVOPS_HOSTNAME: vcs.hostname,
      });
      break;
    case 'gitea':
      Object.assign(env, {
        ATLANTIS_GITEA_USER: vcs.user,
        ATLANTIS_GITEA_BASE_URL: vcs.baseUrl,
        ATLANTIS_GITEA_PAGE_SIZE: vcs.pageSize,
      });
      break;
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = String(v);
  return out;
}

export const REPO_CONFIG_MOUNT = '/etc/atlantis/repo-config';
/** Where the Memorystore server CA is mounted; Go (Atlantis) reads extra roots from SSL_CERT_DIR. */
export const REDIS_CA_MOUNT = '/etc/atlantis/redis-ca';
export const SERVER_CONFIG_MOUNT = '/etc/atlantis/server-config';

/** The secrets this configuration needs, in a stable order. */
export function secretSpecs(config: Pick<ParsedConfig, 'atlantis' | 'access' | 'persistence' | 'service'>): SecretSpec[] {
  const vcs = config.atlantis.vcs;
  const provider = PROVIDERS[vcs.provider];
  const specs: SecretSpec[] = [];
  if (vcs.provider === 'github-app') {
    specs.push({
      name: 'github-app-key',
      description: 'GitHub App private key (PEM)',
      origin: 'user',
      kind: 'pem',
      delivery: { env: 'ATLANTIS_GH_APP_KEY' },
    });
  } else if (provider.tokenEnv) {
    specs.push({
      name: 'vcs-token',
      description: `${provider.label} access token`,
      origin: 'user',
      kind: 'token',
      delivery: { env: provider.tokenEnv },
    });
  }
  // Every provider signs (or authenticates) its webhooks with the secret — Bitbucket Cloud too since
  // Atlantis v0.33.0 validates its X-Hub-Signature (runatlantis/atlantis#4275, "BitBucket Cloud: add
  // support for webhook secrets"). Without one, anyone who finds the URL could post events.
  if (provider.webhookEnv) {
    specs.push({
      name: 'webhook-secret',
      description: vcs.provider === 'azuredevops' ? 'webhook basic-auth password' : 'webhook secret',
      origin: 'generated',
      kind: 'password',
      delivery: { env: provider.webhookEnv },
    });
  }
  if (config.access.uiAuth) {
    specs.push({
      name: 'web-password',
      description: 'web UI basic-auth password',
      origin: 'generated',
      kind: 'password',
      delivery: { env: 'ATLANTIS_WEB_PASSWORD' },
    });
  }
  if (config.atlantis.repoConfig) {
    specs.push({
      name: 'repo-config',
      description: 'server-side repo config (repos.yaml)',
      origin: 'user',
      kind: 'yaml',
      delivery: { file: { mountPath: REPO_CONFIG_MOUNT, fileName: 'repos.yaml', env: 'ATLANTIS_REPO_CONFIG' } },
    });
  }
  if (config.atlantis.serverConfig) {
    specs.push({
      name: 'server-config',
      description: 'Atlantis server config file (--config)',
      origin: 'user',
      kind: 'yaml',
      delivery: { file: { mountPath: SERVER_CONFIG_MOUNT, fileName: 'config.yaml', env: 'ATLANTIS_CONFIG' } },
    });
  }
  specs.push(...redisSecrets(config));
  return specs;
}

/** The Redis password (Memorystore's AUTH string, or an existing Redis's password) and Memorystore's CA. */
function redisSecrets(config: Pick<ParsedConfig, 'persistence' | 'service'>): SecretSpec[] {
  const locks = persistenceSettings(config).locks;
  if (locks.kind === 'external') {
    if (!locks.password) return [];
    return [
      {
        name: 'redis-password',
        description: `password of the Redis at ${locks.host}`,
        origin: 'user',
        kind: 'password',
        delivery: { env: 'ATLANTIS_REDIS_PASSWORD' },
      },
    ];
  }
  if (locks.kind !== 'memorystore') return [];
  const specs: SecretSpec[] = [
    {
      name: 'redis-password',
      description: 'AUTH string of the Memorystore instance',
      origin: 'derived',
      derivedFrom: `Memorystore instance ${locks.instanceId} (GetInstanceAuthString)`,
      kind: 'password',
      delivery: { env: 'ATLANTIS_REDIS_PASSWORD' },
    },
  ];
  if (locks.transitEncryption) {
    specs.push({
      name: 'redis-ca',
      description: 'server CA certificate of the Memorystore instance (in-transit encryption)',
      origin: 'derived',
      derivedFrom: `Memorystore instance ${locks.instanceId} (serverCaCerts)`,
      kind: 'certificate',
      delivery: { file: { mountPath: REDIS_CA_MOUNT, fileName: 'server-ca.pem', env: 'SSL_CERT_DIR', envPointsAt: 'folder' } },
    });
  }
  return specs;
}

/** Settings the persistence choices set (README, "Persistence"); atlantis.env may not override them. */
export const PERSISTENCE_ENV = [
  'ATLANTIS_SHARE_PLAN_DIR',
  'ATLANTIS_LOCKING_DB_TYPE',
  'ATLANTIS_REDIS_HOST',
  'ATLANTIS_REDIS_PORT',
  'ATLANTIS_REDIS_DB',
  'ATLANTIS_REDIS_PASSWORD',
  'ATLANTIS_REDIS_TLS_ENABLED',
  'ATLANTIS_REDIS_INSECURE_SKIP_VERIFY',
] as const;

/** Environment variables the tool sets itself; `atlantis.env` may not override them. */
export function managedEnvNames(config: Pick<ParsedConfig, 'atlantis' | 'access' | 'persistence' | 'service'>): Set<string> {
  const names = new Set([
    'ATLANTIS_PORT',
    'ATLANTIS_ATLANTIS_URL',
    'ATLANTIS_DATA_DIR',
    'ATLANTIS_REPO_ALLOWLIST',
    'ATLANTIS_WEB_BASIC_AUTH',
    'ATLANTIS_WEB_USERNAME',
    ...Object.keys(vcsEnvironment(config.atlantis.vcs)),
    ...PERSISTENCE_ENV,
  ]);
  for (const spec of secretSpecs(config)) {
    names.add('env' in spec.delivery ? spec.delivery.env : spec.delivery.file.env);
  }
  return names;
}
