// Entry points for the webhook commands: which provider module serves the configured VCS (and at
// which API URL), the hook target from --repo / --org / --group, and the admin token read from the
// environment variable the user names — registered for redaction at once, never stored or printed.
import { PROVIDERS } from '../atlantis/catalog.js';
import type { VcsConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { registerSecret } from '../util/redact.js';
import { githubApiUrl, githubHooks } from './github.js';
import { giteaApiUrl, giteaHooks } from './gitea.js';
import { gitlabApiUrl, gitlabHooks } from './gitlab.js';
import type { HookTarget, HooksApi, WebhookProvider } from './types.js';

export { reconcileHook, removeHooks, findHooks, sameUrl, type ReconcileResult, type SecretPolicy } from './reconcile.js';
export { describeTarget, type DesiredHook, type HookTarget, type HooksApi, type LiveHook, type WebhookProvider } from './types.js';

export interface WebhookSettings {
  provider: WebhookProvider;
  /** "GitHub", "GitHub Enterprise (git.acme.com)", "GitLab (gitlab.acme.com)", "Gitea (https://gitea.acme.com)". */
  label: string;
  apiUrl: string;
}

/** The provider and API URL for the configured VCS; `apiUrl` (--api-url) overrides the URL. */
export function webhookSettings(vcs: VcsConfig, apiUrl?: string): WebhookSettings {
  const override = apiUrl === undefined ? undefined : checkApiUrl(apiUrl);
  switch (vcs.provider) {
    case 'github':
      return {
        provider: 'github',
        label: vcs.hostname && vcs.hostname !== 'github.com' ? `GitHub Enterprise (${vcs.hostname})` : 'GitHub',
        apiUrl: override ?? githubApiUrl(vcs.hostname),
      };
    case 'gitlab':
      return {
        provider: 'gitlab',
        label: vcs.hostname ? `GitLab (${vcs.hostname})` : 'GitLab',
        apiUrl: override ?? gitlabApiUrl(vcs.hostname),
      };
    case 'gitea':
      return { provider: 'gitea', label: `Gitea (${vcs.baseUrl})`, apiUrl: override ?? giteaApiUrl(vcs.baseUrl) };
    case 'github-app':
      throw new UsageError('a GitHub App receives its webhooks from the App settings, not from repository webhooks', {
        hint: PROVIDERS['github-app'].webhookHelp,
      });
    default:
      throw new UsageError(
        `atlantis-run registers webhooks on GitHub, GitLab and Gitea; for ${PROVIDERS[vcs.provider].label} add it by hand`,
        {
          hint: PROVIDERS[vcs.provider].webhookHelp,
        },
      );
  }
}

function checkApiUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--api-url: expected a URL such as https://git.example.com/api/v3, got "${url}"`);
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname))) {
    // The admin token travels in a header: never in clear text over a network.
    throw new UsageError('--api-url: must be https:// (plain http only to this machine)');
  }
  if (parsed.username || parsed.password) throw new UsageError('--api-url: must not carry credentials');
  return url.replace(/\/+$/, '');
}

export interface TargetOptions {
  repo?: string;
  org?: string;
  group?: string;
}

const GITHUB_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const GITLAB_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** --repo OWNER/NAME (GitLab: the project path) or --org ORG (GitHub, Gitea) or --group PATH (GitLab). */
export function parseTarget(provider: WebhookProvider, o: TargetOptions): HookTarget {
  const given = (['repo', 'org', 'group'] as const).filter((k) => o[k] !== undefined);
  if (given.length !== 1) {
    const which = provider === 'gitlab' ? '--repo GROUP/PROJECT or --group GROUP' : '--repo OWNER/NAME or --org ORG';
    throw new UsageError(given.length === 0 ? `which hook? give ${which}` : `give only one of ${which}`);
  }
  const value = String(o[given[0]])
    .trim()
    .replace(/^\/+|\/+$/g, '');
  if (provider === 'gitlab') {
    if (given[0] === 'org')
      throw new UsageError('GitLab has groups, not organisations: use --group GROUP (a group path, e.g. acme/platform)');
    const segments = value.split('/');
    if (!segments.every((s) => GITLAB_SEGMENT.test(s)))
      throw new UsageError(`--${given[0]}: "${value}" is not a GitLab path such as acme/platform/infra`);
    if (given[0] === 'repo') {
      if (segments.length < 2) throw new UsageError(`--repo: expected the project path GROUP/PROJECT (subgroups allowed), got "${value}"`);
      return { kind: 'project', path: value };
    }
    return { kind: 'group', path: value };
  }
  if (given[0] === 'group') throw new UsageError(`--group is for GitLab; on ${provider === 'github' ? 'GitHub' : 'Gitea'} use --org ORG`);
  if (given[0] === 'org') {
    if (!GITHUB_NAME.test(value)) throw new UsageError(`--org: "${value}" is not an organisation name`);
    return { kind: 'organization', org: value };
  }
  const [owner, name, ...rest] = value.split('/');
  if (!owner || !name || rest.length > 0 || !GITHUB_NAME.test(owner) || !GITHUB_NAME.test(name)) {
    throw new UsageError(`--repo: expected OWNER/NAME, got "${value}"`);
  }
  return { kind: 'repository', owner, name };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The admin token from the environment variable the user names. A --token-env that is not a variable
 * name may be the token itself, typed by mistake: it is registered for redaction and not echoed.
 */
export function readAdminToken(env: NodeJS.ProcessEnv, name: string | undefined, label: string): string {
  if (name === undefined || name.trim() === '') {
    throw new UsageError(`--token-env: name the environment variable that holds a ${label} token allowed to manage webhooks`, {
      hint: 'e.g. export GH_ADMIN_TOKEN=… then --token-env GH_ADMIN_TOKEN (the token itself is never taken as an argument)',
    });
  }
  if (!ENV_NAME.test(name)) {
    registerSecret(name);
    throw new UsageError('--token-env takes the NAME of an environment variable, not a token (the value given is not shown)', {
      hint: 'export the token in a variable, e.g. export VCS_ADMIN_TOKEN=…, then pass --token-env VCS_ADMIN_TOKEN; if you typed a token, revoke it: it is in your shell history',
    });
  }
  const value = env[name]?.trim();
  if (!value) {
    throw new UsageError(`--token-env ${name}: the variable is not set or empty`, {
      hint: `export ${name}=<a ${label} token allowed to manage webhooks>`,
    });
  }
  registerSecret(value);
  return value;
}

export interface OpenOptions {
  signal?: AbortSignal;
  log?: (kind: string, data: Record<string, unknown>) => void;
}

export function openHooksApi(settings: WebhookSettings, token: string, options: OpenOptions = {}): HooksApi {
  const common = { baseUrl: settings.apiUrl, label: settings.label, token, ...options };
  switch (settings.provider) {
    case 'github':
      return githubHooks(common);
    case 'gitlab':
      return gitlabHooks(common);
    case 'gitea':
      return giteaHooks(common);
  }
}
