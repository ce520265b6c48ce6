// Between `init` and the secrets engine. init records where each value will come from (secrets.<name>:
// {fromEnv} / {fromFile}); prepareSecrets() says, per secret the user supplies, how to make its value
// available — and offers to store the values in Secret Manager right away: on a terminal it asks
// (values typed at hidden prompts, or taken from their configured source when it already holds one);
// with --push-secrets it does so without asking, from the sources only. The values are collected
// before anything is written (a missing one changes nothing); pushPending() stores them once the
// files are written, as staged versions (`secrets push --stage`): the first `deploy` pins them.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { PROVIDERS, secretSpecs } from '../atlantis/catalog.js';
import type { AtlantisRunConfig } from '../config/load.js';
import type { IoHost } from '../ui/host.js';
import type { DesiredSecret } from '../desired/index.js';
import { UsageError } from '../errors.js';
import type { SecretValue } from '../secret-values/values.js';
import type { InitContext } from './run.js';

export interface SecretHandoffInput {
  config: AtlantisRunConfig;
  host: IoHost;
  env: NodeJS.ProcessEnv;
  /** File paths in instructions are shown relative to this folder. */
  cwd: string;
  /** A terminal is there to ask on (false with --non-interactive, --json, CI, no TTY). */
  interactive: boolean;
  /** --push-secrets: store the values now without asking (from their configured sources). */
  push?: boolean;
  /** The command's context, to reach Google Cloud when values are stored. */
  ctx?: InitContext;
}

export interface SecretHandoff {
  /** Logical name (`vcs-token`, `github-app-key`). */
  name: string;
  /** Secret Manager id (`atlantis-vcs-token`). */
  secretId: string;
  description: string;
  source: { kind: 'env'; variable: string; present: boolean } | { kind: 'file'; path: string; present: boolean } | { kind: 'none' };
  /** `to-supply`: the user still has to provide the value; `pushed`: a version exists already. */
  status: 'to-supply' | 'pushed';
  /** The version stored, when pushed. */
  version?: string;
  /** One line for the next steps (never contains a value). */
  instruction: string;
}

/** Values read (or typed) for the push, held until the files are written. Never logged. */
export interface PendingPush {
  handoffs: SecretHandoff[];
  items: { desired: DesiredSecret; value: SecretValue }[];
}

/**
 * Before anything is written: what the user must supply per secret, and — when the values are to be
 * stored now (asked on a terminal, or --push-secrets) — the values themselves, read from their
 * sources or typed. A value that is missing fails here, while nothing has been written yet.
 */
export async function prepareSecrets(input: SecretHandoffInput): Promise<{ handoffs: SecretHandoff[]; pending?: PendingPush }> {
  const handoffs = describeHandoffs(input);
  if (handoffs.length === 0 || !input.ctx) return { handoffs };
  const { config } = input;
  const push =
    input.push ??
    (input.interactive
      ? await input.host.confirm({
          message: `Store the ${handoffs.map((h) => h.name).join(' and ')} value${handoffs.length > 1 ? 's' : ''} in Secret Manager (${config.project}) now?`,
          flag: '--push-secrets',
          default: false,
        })
      : false);
  if (!push) return { handoffs };
  return { handoffs, pending: { handoffs, items: await collectValues(input, handoffs) } };
}

function describeHandoffs(input: SecretHandoffInput): SecretHandoff[] {
  const { config, env } = input;
  const out: SecretHandoff[] = [];
  for (const spec of secretSpecs(config)) {
    if (spec.origin !== 'user' || spec.name === 'repo-config' || spec.name === 'server-config') continue;
    // An existing Redis's password is configured under persistence.redis, the rest under secrets.
    const configured = spec.name === 'redis-password' ? config.persistence.redis?.password : config.secrets[spec.name];
    const what = credentialHelp(config, spec.name);
    let source: SecretHandoff['source'];
    let instruction: string;
    if (configured && 'fromEnv' in configured) {
      const present = Boolean(env[configured.fromEnv]);
      source = { kind: 'env', variable: configured.fromEnv, present };
      instruction = `export ${configured.fromEnv}=…  — ${what}${present ? ` (${configured.fromEnv} is set in this shell)` : ''}`;
    } else if (configured && 'fromFile' in configured) {
      const absolute = path.resolve(config.configDir, configured.fromFile);
      const present = existsSync(absolute);
      source = { kind: 'file', path: configured.fromFile, present };
      instruction = `${present ? 'keep' : 'put'} ${what} in ${path.relative(input.cwd, absolute) || absolute} (outside version control)`;
    } else {
      source = { kind: 'none' };
      instruction = `add secrets.${spec.name}: {fromEnv: VAR} or {fromFile: path} to the config — ${what}`;
    }
    out.push({
      name: spec.name,
      secretId: `${config.service}-${spec.name}`,
      description: spec.description,
      source,
      status: 'to-supply',
      instruction,
    });
  }
  return out;
}

/** Reads (or asks for) each value to store; a missing one is a usage error naming where it should be. */
async function collectValues(input: SecretHandoffInput, handoffs: SecretHandoff[]): Promise<PendingPush['items']> {
  const { config, host, env } = input;
  const [{ desiredState }, { checkedValue, readConfiguredValue, readValueFrom }] = await Promise.all([
    import('../desired/index.js'),
    import('../secret-values/values.js'),
  ]);
  const desired = desiredState(config).secrets;
  const items: PendingPush['items'] = [];
  for (const h of handoffs) {
    const d = desired.find((s) => s.name === h.name)!;
    let value = await readConfiguredValue(d, env);
    if (value) {
      host.emit({ type: 'info', message: `${h.name}: using the value of ${value.origin}` });
    } else if (input.interactive) {
      if (d.spec.kind === 'pem') {
        const file = await host.input({ message: `Path of the ${d.spec.description} file`, flag: '--app-key-file' });
        // A regular file, read bounded, checked for its kind (never a FIFO that would hang the prompt).
        value = await readValueFrom(d, file, host.streams.stdin, input.cwd);
      } else {
        const typed = await host.password({ message: d.spec.description, promptHint: 'hidden', flag: `secrets.${d.name} in the config` });
        value = checkedValue(d.name, d.spec.kind, Buffer.from(typed, 'utf8'), 'the prompt');
      }
    } else {
      throw new UsageError(`--push-secrets: ${h.name} has no value to store: ${h.instruction}`);
    }
    items.push({ desired: d, value });
  }
  return items;
}

/** After the files are written: enables Secret Manager if needed and adds the values as staged versions. */
export async function pushPending(input: SecretHandoffInput, ctx: InitContext, pending: PendingPush): Promise<SecretHandoff[]> {
  const { config, host } = input;
  const { handoffs, items } = pending;
  const [{ acquireRunLock }, { pushSecrets }, { serviceStates, enableServices }] = await Promise.all([
    import('../state/run-lock.js'),
    import('../secrets/push.js'),
    import('../gcp/apis/service-usage.js'),
  ]);
  const lock = acquireRunLock(ctx.lockfilePath, 'init');
  ctx.onCleanup(() => lock.release());
  const run = await ctx.openRun(10 * 60_000);
  // A new project has Secret Manager disabled: enable it (only it — deploy enables the rest).
  const api = 'secretmanager.googleapis.com';
  const states = await serviceStates(run.gcp, config.project, [api]);
  if (states[api] !== 'ENABLED') {
    host.emit({ type: 'info', message: `enabling ${api} in ${config.project}` });
    await enableServices(run.gcp, config.project, [api], run.waitTimeoutMs);
  }
  const result = await pushSecrets(run, { mode: 'stage', items, keep: 2 });
  return handoffs.map((h) => {
    const pushed = result.secrets.find((s) => s.name === h.name);
    if (!pushed) return h;
    return {
      ...h,
      status: 'pushed' as const,
      version: pushed.version,
      instruction: `stored as version ${pushed.version} of ${h.secretId} (${pushed.checksum}); deploy pins it`,
    };
  });
}

/** What the credential is and the permissions it needs (Atlantis' access-credentials docs). */
function credentialHelp(config: AtlantisRunConfig, name: string): string {
  const vcs = config.atlantis.vcs;
  if (name === 'github-app-key') return 'the GitHub App private key (.pem from the App settings → Private keys)';
  if (name === 'redis-password') return `the password of your Redis at ${config.persistence.redis?.host ?? '?'}`;
  const label = PROVIDERS[vcs.provider].label;
  switch (vcs.provider) {
    case 'github':
      return `a ${label} personal access token of ${vcs.user} with the repo scope`;
    case 'gitlab':
      return `a ${label} personal access token of ${vcs.user} with the api scope`;
    case 'bitbucket':
      return vcs.baseUrl === undefined
        ? `a Bitbucket Cloud API token (or app password) of ${vcs.apiUser ?? vcs.user} with pull requests read and write`
        : `a Bitbucket Server personal access token of ${vcs.user} with project read and pull request write`;
    case 'azuredevops':
      return `an Azure DevOps personal access token of ${vcs.user} with Code (Read & Write) and Code (Status)`;
    case 'gitea':
      return `a Gitea access token of ${vcs.user} with repository and issue read and write`;
    default:
      return `the ${label} credential`;
  }
}
