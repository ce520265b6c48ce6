// The init wizard's questions, in order. Each question has exactly one flag that answers it; the
// same code runs interactively and not: a flag given answers its question (no prompt), otherwise
// the IoHost prompts on a terminal, or — with --non-interactive, without a TTY, in CI, with --json —
// takes the question's default or fails naming the flag. One code path is what makes the file
// written from flags identical to the file written from the same answers typed in.
import { homedir } from 'node:os';
import path from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import { PROVIDERS } from '../atlantis/catalog.js';
import { allowlistProblem } from '../config/allowlist.js';
import { CLOUD_RUN_REGIONS } from '../config/regions.js';
import { DEFAULT_ATLANTIS_VERSION, DEFAULT_SERVICE, type VcsProviderName } from '../config/schema.js';
import { parseQuantity } from '../config/quantity.js';
import { closest } from '../util/suggest.js';
import type { IoHost } from '../ui/host.js';
import { checkEach, checks, DEFAULT_DATA_VOLUME_SIZE, splitList, type Check } from './checks.js';
import type { InitDefaults } from './defaults.js';
import {
  PERSISTENCE_CHOICES,
  persistenceBlock,
  persistenceChoices,
  recommendedChoice,
  type ExternalRedis,
  type PersistenceAnswer,
  type PersistenceChoice,
} from './persistence.js';

/** The command's own flags, as commander hands them over (camel-cased). */
export interface InitFlags {
  nonInteractive?: boolean;
  service?: string;
  atlantisVersion?: string;
  vcs?: string;
  vcsUser?: string;
  vcsHostname?: string;
  vcsBaseUrl?: string;
  vcsWebhookUser?: string;
  vcsApiUser?: string;
  ghAppId?: string;
  ghAppSlug?: string;
  ghAppInstallationId?: string;
  repoAllowlist?: string[];
  persistence?: string;
  dataVolumeSize?: string;
  redisHost?: string;
  redisPort?: string;
  redisPasswordEnv?: string;
  redisPasswordFile?: string;
  redisTls?: boolean;
  network?: string;
  subnet?: string;
  domain?: string;
  role?: string[];
  repoConfig?: boolean;
  tokenEnv?: string;
  tokenFile?: string;
  appKeyFile?: string;
  appKeyEnv?: string;
  force?: boolean;
  /** Store the secret values in Secret Manager right away (without asking). */
  pushSecrets?: boolean;
  /** The global --project / --region: they answer the first two questions. */
  project?: string;
  region?: string;
}

export type SecretSource = { fromEnv: string } | { fromFile: string };
export type UserSecretName = 'vcs-token' | 'github-app-key';

/** `atlantis.vcs` exactly as written: provider first, then the provider's keys in schema order. */
export type VcsAnswer = { provider: VcsProviderName } & Record<string, string | number>;

export interface InitAnswers {
  project: string;
  region: string;
  service: string;
  atlantisVersion: string;
  vcs: VcsAnswer;
  repoAllowlist: string[];
  secrets: Partial<Record<UserSecretName, SecretSource>>;
  persistence: PersistenceAnswer;
  domain?: string;
  roles: string[];
  /** Write the starter server-side repos.yaml beside the config (atlantis.repoConfig: repos.yaml). */
  repoConfig: boolean;
}

export interface WizardEnvironment {
  host: IoHost;
  defaults: InitDefaults;
  cwd: string;
  /** Folder of atlantis-run.yaml: fromFile paths are written relative to it. */
  configDir: string;
  env: NodeJS.ProcessEnv;
  /** Fails (exit 2) when the starter repos.yaml may not be written; called as soon as it is asked for. */
  checkRepoConfigTarget: () => void;
}

const PROVIDER_CHOICES: readonly { value: VcsProviderName; name: string; description: string }[] = [
  { value: 'github', name: 'GitHub', description: 'a user and a personal access token (github.com or GitHub Enterprise)' },
  { value: 'github-app', name: 'GitHub App', description: 'an app id and its private key (github.com or GitHub Enterprise)' },
  { value: 'gitlab', name: 'GitLab', description: 'a user and a personal access token (gitlab.com or self-managed)' },
  { value: 'bitbucket', name: 'Bitbucket', description: 'Bitbucket Cloud (bitbucket.org) or Bitbucket Server / Data Center' },
  { value: 'azuredevops', name: 'Azure DevOps', description: 'a user, a personal access token and a webhook basic-auth user' },
  { value: 'gitea', name: 'Gitea', description: 'a base URL, a user and an access token' },
];

/** Conventional variable names the token is read from when the user accepts the default. */
export const TOKEN_ENV_DEFAULT: Record<Exclude<VcsProviderName, 'github-app'>, string> = {
  github: 'GITHUB_TOKEN',
  gitlab: 'GITLAB_TOKEN',
  bitbucket: 'BITBUCKET_TOKEN',
  azuredevops: 'AZURE_DEVOPS_TOKEN',
  gitea: 'GITEA_TOKEN',
};

/** Host names Atlantis uses when none is set: answering them is the same as leaving them empty. */
const DEFAULT_HOSTS: Partial<Record<VcsProviderName, string>> = {
  github: 'github.com',
  'github-app': 'github.com',
  gitlab: 'gitlab.com',
  azuredevops: 'dev.azure.com',
};

const SOURCE_CHOICES = {
  env: { value: 'env', name: 'an environment variable', description: 'exported in your shell or set by CI when you deploy' },
  file: { value: 'file', name: 'a file', description: 'kept out of version control' },
} as const;

/** Offered in the roles checkbox; anything else goes in the free-text question after it. */
export const SUGGESTED_ROLES: readonly { value: string; name: string }[] = [
  { value: 'roles/viewer', name: 'roles/viewer — read everything (enough for plans of most resources)' },
  { value: 'roles/editor', name: 'roles/editor — create and change most resources (broad)' },
  { value: 'roles/storage.objectAdmin', name: 'roles/storage.objectAdmin — Terraform state in a Cloud Storage bucket' },
  { value: 'roles/resourcemanager.projectIamAdmin', name: 'roles/resourcemanager.projectIamAdmin — manage IAM bindings' },
  { value: 'roles/iam.serviceAccountUser', name: 'roles/iam.serviceAccountUser — attach service accounts to resources' },
];

// Flags that belong to one or some providers; passing one to another provider is a mistake worth
// an error rather than silence.
const PROVIDER_FLAGS: Record<string, { flag: string; providers: readonly VcsProviderName[] }> = {
  vcsUser: { flag: '--vcs-user', providers: ['github', 'gitlab', 'bitbucket', 'azuredevops', 'gitea'] },
  vcsHostname: { flag: '--vcs-hostname', providers: ['github', 'github-app', 'gitlab', 'azuredevops'] },
  vcsBaseUrl: { flag: '--vcs-base-url', providers: ['bitbucket', 'gitea'] },
  vcsWebhookUser: { flag: '--vcs-webhook-user', providers: ['azuredevops'] },
  vcsApiUser: { flag: '--vcs-api-user', providers: ['bitbucket'] },
  ghAppId: { flag: '--gh-app-id', providers: ['github-app'] },
  ghAppSlug: { flag: '--gh-app-slug', providers: ['github-app'] },
  ghAppInstallationId: { flag: '--gh-app-installation-id', providers: ['github-app'] },
  tokenEnv: { flag: '--token-env', providers: ['github', 'gitlab', 'bitbucket', 'azuredevops', 'gitea'] },
  tokenFile: { flag: '--token-file', providers: ['github', 'gitlab', 'bitbucket', 'azuredevops', 'gitea'] },
  appKeyFile: { flag: '--app-key-file', providers: ['github-app'] },
  appKeyEnv: { flag: '--app-key-env', providers: ['github-app'] },
};

interface TextQuestion {
  /** Dotted path in atlantis-run.yaml, named in errors. */
  field: string;
  /** The flag that answers it. */
  flag: string;
  /** What else answers it, for the "not running interactively" hint. */
  alsoAnsweredBy?: string;
  value: string | undefined;
  message: string;
  default?: string | undefined;
  /** An empty answer means "not set". */
  optional?: boolean;
  check: Check;
  normalize?: (value: string) => string;
}

interface ChoiceQuestion<T extends string> {
  field: string;
  flag: string;
  alsoAnsweredBy?: string;
  value: string | undefined;
  message: string;
  choices: readonly { value: T; name?: string; description?: string }[];
  default?: T | undefined;
  pageSize?: number;
  /** How to answer at the prompt, shown only when asking. */
  promptHint?: string;
  /** Checks the answer (a flag value or a non-interactive default); defaults to "one of the choices". */
  check?: Check;
}

const trim = (v: string) => v.trim();
const lower = (v: string) => v.trim().toLowerCase();
const stripSlash = (v: string) => v.trim().replace(/\/+$/, '');

/** Stands for an answer nobody gave (non-interactive, no flag, no default): collected, then reported at once. */
const MISSING = '\u0000missing' as const;

export class Wizard {
  /** Questions left unanswered without a terminal, in order: every one is named in one error. */
  private readonly missing: { flag: string; message: string }[] = [];

  constructor(
    private readonly flags: InitFlags,
    private readonly w: WizardEnvironment,
  ) {}

  async run(): Promise<InitAnswers> {
    const answers = await this.ask();
    if (this.missing.length > 0) throw this.missingError();
    return answers;
  }

  private missingError(): UsageError {
    const n = this.missing.length;
    const width = Math.max(...this.missing.map((m) => m.flag.length));
    const lines = this.missing.map((m) => `  ${m.flag.padEnd(width)}  ${m.message}`);
    return new UsageError(`init needs ${n} answer${n > 1 ? 's' : ''} it was not given (not running interactively):\n${lines.join('\n')}`, {
      hint: 'pass them as flags; `atlantis-run init --help` lists every flag',
    });
  }

  private async ask(): Promise<InitAnswers> {
    const { flags, w } = this;
    const project = (await this.text({
      field: 'project',
      flag: '--project',
      alsoAnsweredBy: 'export CLOUDSDK_CORE_PROJECT',
      value: flags.project,
      message: 'Google Cloud project id',
      default: w.defaults.project?.value,
      check: checks.project,
    }))!;
    const region = await this.choose({
      field: 'region',
      flag: '--region',
      alsoAnsweredBy: 'export CLOUDSDK_RUN_REGION',
      value: flags.region,
      message: 'Cloud Run region',
      promptHint: 'type to jump',
      choices: CLOUD_RUN_REGIONS.map((r) => ({ value: r })),
      default: w.defaults.region?.value as (typeof CLOUD_RUN_REGIONS)[number] | undefined,
      pageSize: 10,
      check: checks.region,
    });
    const service = (await this.text({
      field: 'service',
      flag: '--service',
      value: flags.service,
      message: 'Cloud Run service name (also the prefix of every resource name)',
      default: DEFAULT_SERVICE,
      check: checks.service,
    }))!;
    const atlantisVersion = (await this.text({
      field: 'atlantis.version',
      flag: '--atlantis-version',
      value: flags.atlantisVersion,
      message: 'Atlantis version (tag of ghcr.io/runatlantis/atlantis)',
      default: DEFAULT_ATLANTIS_VERSION,
      check: checks.atlantisVersion,
    }))!;

    const provider: VcsProviderName | typeof MISSING = await this.choose<VcsProviderName | typeof MISSING>({
      field: 'atlantis.vcs.provider',
      flag: '--vcs',
      value: flags.vcs,
      message: 'Which VCS does Atlantis serve?',
      choices: PROVIDER_CHOICES,
    });
    if (provider === MISSING) {
      // Without a provider its own questions are unknown: name them by reference.
      this.missing.at(-1)!.message += ' (then the flags that provider needs: see atlantis-run init --help)';
    } else this.refuseForeignFlags(provider);
    const vcs = provider === MISSING ? ({ provider: 'github' } as VcsAnswer) : await this.vcs(provider);
    const secrets = provider === MISSING ? {} : await this.secrets(provider);
    const repoAllowlist = await this.repoAllowlist(vcs);
    const persistence = await this.persistence(region, atlantisVersion);
    const domain = await this.text({
      field: 'domain',
      flag: '--domain',
      value: flags.domain,
      message: 'Custom domain for Atlantis (empty for none; the run.app URL always works)',
      default: '',
      optional: true,
      check: checks.hostname,
      normalize: lower,
    });
    const roles = await this.roles();
    const repoConfig = await this.repoConfig();

    return {
      project,
      region,
      service,
      atlantisVersion,
      vcs,
      repoAllowlist,
      secrets,
      persistence,
      ...(domain !== undefined ? { domain } : {}),
      roles,
      repoConfig,
    };
  }

  // --- provider -------------------------------------------------------------------------------

  private refuseForeignFlags(provider: VcsProviderName): void {
    const foreign = Object.entries(PROVIDER_FLAGS)
      .filter(([key, spec]) => this.flags[key as keyof InitFlags] !== undefined && !spec.providers.includes(provider))
      .map(([, spec]) => spec.flag);
    if (foreign.length > 0) {
      throw new UsageError(`${foreign.join(', ')} ${foreign.length > 1 ? 'do' : 'does'} not apply to --vcs ${provider}`, {
        hint: `${PROVIDERS[provider].label} uses: ${Object.values(PROVIDER_FLAGS)
          .filter((s) => s.providers.includes(provider))
          .map((s) => s.flag)
          .join(', ')}`,
      });
    }
  }

  private async vcs(provider: VcsProviderName): Promise<VcsAnswer> {
    const f = this.flags;
    const label = PROVIDERS[provider].label;
    const user = () =>
      this.text({
        field: 'atlantis.vcs.user',
        flag: '--vcs-user',
        value: f.vcsUser,
        message: `${label} user Atlantis acts as (its comments come from this account)`,
        check: checks.user,
      }) as Promise<string>;
    const hostname = async (message: string): Promise<Record<string, string>> => {
      const host = await this.text({
        field: 'atlantis.vcs.hostname',
        flag: '--vcs-hostname',
        value: f.vcsHostname,
        message,
        default: '',
        optional: true,
        check: checks.hostname,
        normalize: lower,
      });
      return host === undefined || host === DEFAULT_HOSTS[provider] ? {} : { hostname: host };
    };

    switch (provider) {
      case 'github':
        return { provider, user: await user(), ...(await hostname('GitHub Enterprise host name (empty for github.com)')) };

      case 'github-app': {
        const appId = (await this.text({
          field: 'atlantis.vcs.appId',
          flag: '--gh-app-id',
          value: f.ghAppId,
          message: 'GitHub App id (App settings → General → App ID)',
          check: checks.positiveInteger,
        }))!;
        const slug = await this.text({
          field: 'atlantis.vcs.slug',
          flag: '--gh-app-slug',
          value: f.ghAppSlug,
          message: 'GitHub App slug, as in github.com/apps/SLUG (empty to skip; Atlantis uses it to find its own comments)',
          default: '',
          optional: true,
          check: checks.slug,
          normalize: lower,
        });
        const installationId = await this.text({
          field: 'atlantis.vcs.installationId',
          flag: '--gh-app-installation-id',
          value: f.ghAppInstallationId,
          message: 'GitHub App installation id (empty when the App has a single installation)',
          default: '',
          optional: true,
          check: checks.positiveInteger,
        });
        return {
          provider,
          appId: Number(appId),
          ...(slug !== undefined ? { slug } : {}),
          ...(installationId !== undefined ? { installationId: Number(installationId) } : {}),
          ...(await hostname('GitHub Enterprise host name (empty for github.com)')),
        };
      }

      case 'gitlab':
        return { provider, user: await user(), ...(await hostname('Self-managed GitLab host name (empty for gitlab.com)')) };

      case 'bitbucket': {
        // Cloud or Server is answered by --vcs-base-url: given, it is Server / Data Center.
        const flavour =
          f.vcsBaseUrl !== undefined
            ? 'server'
            : await this.choose({
                field: 'atlantis.vcs.baseUrl',
                flag: '--vcs-base-url',
                value: undefined,
                message: 'Bitbucket Cloud or Bitbucket Server / Data Center?',
                choices: [
                  { value: 'cloud', name: 'Bitbucket Cloud (bitbucket.org)' },
                  { value: 'server', name: 'Bitbucket Server / Data Center (self-hosted)' },
                ],
                default: 'cloud',
              });
        if (flavour === 'server' && f.vcsApiUser !== undefined) {
          throw new UsageError('--vcs-api-user applies to Bitbucket Cloud only', {
            hint: 'Bitbucket Server / Data Center authenticates as --vcs-user',
          });
        }
        const bbUser = await user();
        if (flavour === 'server') {
          const baseUrl = (await this.text({
            field: 'atlantis.vcs.baseUrl',
            flag: '--vcs-base-url',
            value: f.vcsBaseUrl,
            message: 'Bitbucket Server base URL (e.g. https://bitbucket.example.com)',
            check: checks.baseUrl,
            normalize: stripSlash,
          }))!;
          return { provider, user: bbUser, baseUrl };
        }
        const apiUser = await this.text({
          field: 'atlantis.vcs.apiUser',
          flag: '--vcs-api-user',
          value: f.vcsApiUser,
          message: 'Bitbucket API user for an API token, usually an e-mail (empty: the user above, for an app password)',
          default: '',
          optional: true,
          check: checks.user,
        });
        return { provider, user: bbUser, ...(apiUser !== undefined && apiUser !== bbUser ? { apiUser } : {}) };
      }

      case 'azuredevops': {
        const adoUser = await user();
        const webhookUser = (await this.text({
          field: 'atlantis.vcs.webhookUser',
          flag: '--vcs-webhook-user',
          value: f.vcsWebhookUser,
          message: 'Basic-auth user Azure DevOps sends with webhooks (the password is generated)',
          check: checks.user,
        }))!;
        return { provider, user: adoUser, webhookUser, ...(await hostname('Azure DevOps host name (empty for dev.azure.com)')) };
      }

      case 'gitea': {
        const baseUrl = (await this.text({
          field: 'atlantis.vcs.baseUrl',
          flag: '--vcs-base-url',
          value: f.vcsBaseUrl,
          message: 'Gitea base URL (e.g. https://gitea.example.com)',
          check: checks.baseUrl,
          normalize: stripSlash,
        }))!;
        return { provider, user: await user(), baseUrl };
      }
    }
  }

  // --- secrets: where values come from, never the values ----------------------------------------

  private async secrets(provider: VcsProviderName): Promise<InitAnswers['secrets']> {
    const f = this.flags;
    if (provider === 'github-app') {
      return {
        'github-app-key': await this.secretSource({
          name: 'github-app-key',
          what: 'GitHub App private key (PEM)',
          env: { flag: '--app-key-env', value: f.appKeyEnv },
          file: { flag: '--app-key-file', value: f.appKeyFile },
          defaultKind: 'file',
        }),
      };
    }
    return {
      'vcs-token': await this.secretSource({
        name: 'vcs-token',
        what: `${PROVIDERS[provider].label} access token`,
        env: { flag: '--token-env', value: f.tokenEnv, default: TOKEN_ENV_DEFAULT[provider] },
        file: { flag: '--token-file', value: f.tokenFile },
        defaultKind: 'env',
      }),
    };
  }

  private async secretSource(s: {
    name: UserSecretName;
    what: string;
    env: { flag: string; value: string | undefined; default?: string };
    file: { flag: string; value: string | undefined };
    defaultKind: 'env' | 'file';
  }): Promise<SecretSource> {
    const field = `secrets.${s.name}`;
    if (s.env.value !== undefined && s.file.value !== undefined) {
      throw new UsageError(`${field}: pass either ${s.env.flag} or ${s.file.flag}, not both`);
    }
    const kind =
      s.env.value !== undefined
        ? 'env'
        : s.file.value !== undefined
          ? 'file'
          : await this.choose({
              field,
              flag: s.defaultKind === 'env' ? s.env.flag : s.file.flag,
              alsoAnsweredBy: s.defaultKind === 'env' ? s.file.flag : s.env.flag,
              value: undefined,
              message: `Where will atlantis-run read the ${s.what} from when it pushes it to Secret Manager?`,
              // The default first: the list opens on it either way, and reads better.
              choices: s.defaultKind === 'env' ? [SOURCE_CHOICES.env, SOURCE_CHOICES.file] : [SOURCE_CHOICES.file, SOURCE_CHOICES.env],
              default: s.defaultKind,
            });
    if (kind === 'env') {
      const variable = (await this.text({
        field: `${field}.fromEnv`,
        flag: s.env.flag,
        alsoAnsweredBy: s.file.flag,
        value: s.env.value,
        message: `Environment variable that will hold the ${s.what}`,
        default: s.env.default,
        check: checks.envName,
      }))!;
      return { fromEnv: variable };
    }
    const file = (await this.text({
      field: `${field}.fromFile`,
      flag: s.file.flag,
      alsoAnsweredBy: s.env.flag,
      value: s.file.value,
      message: `File that will hold the ${s.what} (relative to this folder, or absolute)`,
      check: checks.filePath,
    }))!;
    return { fromFile: this.relativeToConfig(file) };
  }

  /** A path typed relative to where the user is becomes relative to the config file's folder. */
  private relativeToConfig(file: string): string {
    let p = file.trim();
    if (p === '~' || p.startsWith('~/')) p = path.join(this.w.env.HOME || homedir(), p.slice(1));
    if (path.isAbsolute(p)) return p;
    const rel = path.relative(this.w.configDir, path.resolve(this.w.cwd, p));
    return rel.split(path.sep).join('/');
  }

  // --- the rest ---------------------------------------------------------------------------------

  private async repoAllowlist(vcs: VcsAnswer): Promise<string[]> {
    const known = vcsHost(vcs);
    const host = known.includes(MISSING) ? 'HOST' : known;
    const example = `${host}/acme/*`;
    const listCheck: Check = (v) => {
      const items = splitList(v);
      if (items.length === 0) return `must list at least one repository pattern, such as ${example}`;
      const shape = checkEach(checks.allowlistEntry)(items);
      if (shape !== true || known.includes(MISSING)) return shape;
      // The same rule the configuration is validated with: an entry for another host matches nothing.
      for (const item of items) {
        const wrongHost = allowlistProblem(item, vcs);
        if (wrongHost) return `${wrongHost.problem}: write it as ${wrongHost.fix}`;
      }
      return true;
    };
    if (this.flags.repoAllowlist !== undefined) {
      const items = splitList(this.flags.repoAllowlist);
      const result = listCheck(items.join(','));
      if (result !== true) throw new ConfigError('atlantis.repoAllowlist (--repo-allowlist)', result);
      return items;
    }
    const answer = (await this.text({
      field: 'atlantis.repoAllowlist',
      flag: '--repo-allowlist',
      value: undefined,
      message: `Repositories Atlantis may serve, comma-separated (e.g. ${example}, ${host}/acme/infra-*)`,
      check: listCheck,
    }))!;
    return splitList(answer);
  }

  private async persistence(region: string, atlantisVersion: string): Promise<InitAnswers['persistence']> {
    const f = this.flags;
    const choice = await this.choose<PersistenceChoice>({
      field: 'persistence',
      flag: '--persistence',
      value: f.persistence,
      message: `Where does Atlantis keep plans and locks? (a month, for 1 vCPU / 2 GiB in ${region}, list prices)`,
      choices: persistenceChoices(region, atlantisVersion),
      default: recommendedChoice(atlantisVersion),
      check: (v) =>
        (PERSISTENCE_CHOICES as readonly string[]).includes(v)
          ? true
          : `"${v}" is not one of ${PERSISTENCE_CHOICES.join(', ')}${closest(v, PERSISTENCE_CHOICES) ? ` (did you mean ${closest(v, PERSISTENCE_CHOICES)}?)` : ''}`,
    });
    const external = choice === 'gcs-external-redis';
    const vpc = choice === 'gcs-redis' || choice === 'filestore-redis' || external;
    const misplaced = [
      ...(!external ? (['redisHost', 'redisPort', 'redisPasswordEnv', 'redisPasswordFile', 'redisTls'] as const) : []),
      ...(!vpc ? (['network', 'subnet'] as const) : []),
      ...(choice === 'filestore-redis' ? (['dataVolumeSize'] as const) : []),
    ].filter((k) => f[k] !== undefined);
    if (misplaced.length > 0) {
      const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new UsageError(
        `${misplaced.map(flag).join(', ')} ${misplaced.length > 1 ? 'do' : 'does'} not apply to --persistence ${choice}`,
      );
    }
    const redis = external ? await this.externalRedis() : undefined;
    const network = vpc && (f.network !== undefined || f.subnet !== undefined) ? this.network() : undefined;
    let sizeLimit: string | undefined;
    if (choice !== 'filestore-redis') {
      const size = (await this.text({
        field: 'persistence.sizeLimit',
        flag: '--data-volume-size',
        value: f.dataVolumeSize,
        message: `Size of the in-memory data volume (counts against the instance's 2Gi of memory)`,
        default: DEFAULT_DATA_VOLUME_SIZE,
        check: checks.dataVolumeSize,
      }))!;
      // The default is left out of the file: unset means "half of resources.memory", which follows
      // a later change of the memory; an explicit size does not.
      if (parseQuantity(size) !== parseQuantity(DEFAULT_DATA_VOLUME_SIZE)) sizeLimit = size;
    }
    return persistenceBlock(choice, { sizeLimit, redis, ...(network ? { network } : {}) });
  }

  /** The existing Redis: host, port, TLS, and where its password comes from (never the password). */
  private async externalRedis(): Promise<ExternalRedis> {
    const f = this.flags;
    const host = (await this.text({
      field: 'persistence.redis.host',
      flag: '--redis-host',
      value: f.redisHost,
      message: 'Host name or IP address of your Redis (reachable from Cloud Run)',
      check: checks.redisHost,
      normalize: lower,
    }))!;
    const port = (await this.text({
      field: 'persistence.redis.port',
      flag: '--redis-port',
      value: f.redisPort,
      message: 'Port of your Redis',
      default: '6379',
      check: checks.port,
    }))!;
    const tls =
      f.redisTls === true ||
      (await this.w.host.confirm({ message: 'Does your Redis take TLS connections (tls)?', flag: '--redis-tls', default: false }));
    if (f.redisPasswordEnv !== undefined && f.redisPasswordFile !== undefined) {
      throw new UsageError('persistence.redis.password: pass either --redis-password-env or --redis-password-file, not both');
    }
    let password: ExternalRedis['password'];
    if (f.redisPasswordFile !== undefined) {
      const file = (await this.text({
        field: 'persistence.redis.password.fromFile',
        flag: '--redis-password-file',
        value: f.redisPasswordFile,
        message: 'File that will hold the Redis password',
        check: checks.filePath,
      }))!;
      password = { fromFile: this.relativeToConfig(file) };
    } else {
      const variable = await this.text({
        field: 'persistence.redis.password.fromEnv',
        flag: '--redis-password-env',
        alsoAnsweredBy: '--redis-password-file',
        value: f.redisPasswordEnv,
        message: 'Environment variable that will hold the Redis password (empty: your Redis has no password)',
        default: '',
        optional: true,
        check: checks.envName,
      });
      if (variable !== undefined) password = { fromEnv: variable };
    }
    return { host, port: Number(port), tls, ...(password ? { password } : {}) };
  }

  /** The VPC network and subnet to use (flags only: by default the tool creates them). */
  private network(): { name?: string; subnet?: string } {
    const f = this.flags;
    const check = (field: string, flag: string, value: string | undefined) => {
      if (value === undefined) return undefined;
      const v = value.trim();
      const result = checks.resourceName(v);
      if (result !== true) throw new ConfigError(`${field} (${flag})`, result);
      return v;
    };
    const name = check('persistence.network.name', '--network', f.network);
    const subnet = check('persistence.network.subnet', '--subnet', f.subnet);
    return { ...(name ? { name } : {}), ...(subnet ? { subnet } : {}) };
  }

  private async roles(): Promise<string[]> {
    const listCheck: Check = (v) => checkEach(checks.role)(splitList(v));
    if (this.flags.role !== undefined) {
      const items = splitList(this.flags.role);
      const result = listCheck(items.join(','));
      if (result !== true) throw new ConfigError('serviceAccount.roles (--role)', result);
      return items;
    }
    const picked = await this.w.host.checkbox({
      message: 'Project roles for the runtime service account — what your Terraform needs',
      promptHint: 'space to pick, enter when done',
      flag: '--role',
      choices: SUGGESTED_ROLES,
      default: [],
    });
    const others = await this.text({
      field: 'serviceAccount.roles',
      flag: '--role',
      value: undefined,
      message: 'Other project roles, comma-separated (empty for none)',
      default: '',
      optional: true,
      check: listCheck,
    });
    return splitList([...picked, ...(others === undefined ? [] : [others])]);
  }

  private async repoConfig(): Promise<boolean> {
    const wanted =
      this.flags.repoConfig === true ||
      (await this.w.host.confirm({
        message: 'Write a starter server-side repos.yaml (apply requirements, workflows) beside the config?',
        flag: '--repo-config',
        default: false,
      }));
    if (wanted) this.w.checkRepoConfigTarget();
    return wanted;
  }

  // --- the two ways to ask ----------------------------------------------------------------------

  private async text(q: TextQuestion): Promise<string | undefined> {
    const normalize = q.normalize ?? trim;
    const accept = (raw: string): string | undefined => {
      const v = normalize(raw);
      if (v === '' && q.optional) return undefined;
      const result = q.check(v);
      if (result !== true) throw new ConfigError(`${q.field} (${q.flag})`, result);
      return v;
    };
    if (q.value !== undefined) return accept(q.value);
    if (!this.w.host.canPrompt && q.default === undefined) return this.unanswered(q);
    const answer = await this.w.host.input({
      message: q.message,
      flag: q.alsoAnsweredBy ? `${q.flag} (or ${q.alsoAnsweredBy})` : q.flag,
      ...(q.default !== undefined ? { default: q.default } : {}),
      validate: (raw) => {
        const v = normalize(raw);
        if (v === '' && q.optional) return true;
        return q.check(v);
      },
    });
    return accept(answer);
  }

  /** No flag, no default, no terminal: remember the question (all are reported together) and go on. */
  private unanswered(q: { flag: string; alsoAnsweredBy?: string; message: string }): string {
    this.missing.push({ flag: q.flag, message: q.alsoAnsweredBy ? `${q.message} (or ${q.alsoAnsweredBy})` : q.message });
    return MISSING;
  }

  private async choose<T extends string>(q: ChoiceQuestion<T>): Promise<T> {
    const values = q.choices.map((c) => c.value as string);
    const check: Check =
      q.check ??
      ((v) => {
        if (values.includes(v)) return true;
        const guess = closest(v, values);
        return `"${v}" is not one of ${values.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}`;
      });
    const accept = (v: string): T => {
      const result = check(v);
      if (result !== true) throw new ConfigError(`${q.field} (${q.flag})`, result);
      return v as T;
    };
    if (q.value !== undefined) return accept(q.value.trim());
    const usableDefault = q.default !== undefined && values.includes(q.default) ? q.default : undefined;
    if (!this.w.host.canPrompt && q.default !== undefined && usableDefault === undefined) return accept(q.default);
    if (!this.w.host.canPrompt && usableDefault === undefined) return this.unanswered(q) as T;
    const answer = await this.w.host.select<T>({
      message: q.message,
      flag: q.alsoAnsweredBy ? `${q.flag} (or ${q.alsoAnsweredBy})` : q.flag,
      choices: q.choices,
      ...(usableDefault !== undefined ? { default: usableDefault } : {}),
      ...(q.pageSize !== undefined ? { pageSize: q.pageSize } : {}),
      ...(q.promptHint !== undefined ? { promptHint: q.promptHint } : {}),
    });
    return accept(answer);
  }
}

/** The host repositories live on, for the allowlist example. */
export function vcsHost(vcs: VcsAnswer): string {
  const hostname = typeof vcs.hostname === 'string' ? vcs.hostname : undefined;
  const baseUrl = typeof vcs.baseUrl === 'string' ? vcs.baseUrl : undefined;
  if (baseUrl) return baseUrl.replace(/^[a-z]+:\/\//i, '').split('/')[0];
  switch (vcs.provider) {
    case 'github':
    case 'github-app':
      return hostname ?? 'github.com';
    case 'gitlab':
      return hostname ?? 'gitlab.com';
    case 'bitbucket':
      return 'bitbucket.org';
    case 'azuredevops':
      return hostname ?? 'dev.azure.com';
    case 'gitea':
      return 'gitea.com';
  }
}
