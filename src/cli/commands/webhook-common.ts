// What the three `webhook` handlers share: the provider and API URL from the configuration
// (--api-url overrides), the target (--repo / --org / --group), the admin token from the variable
// --token-env names (registered for redaction at once), the Atlantis webhook URL (--url, the mapped
// domain, or the live service's URL + /events) and, for `add`, the webhook secret read from the
// Secret Manager version in use (registered for redaction when read; never printed).
import { UsageError } from '../../errors.js';
import { getService } from '../../gcp/apis/run.js';
import { selectSecret, type SecretsRun } from '../../secrets/context.js';
import { webhookUrl } from '../../secrets/rotate.js';
import { revealValue } from '../../secrets/show.js';
import {
  describeTarget,
  openHooksApi,
  parseTarget,
  readAdminToken,
  webhookSettings,
  type HookTarget,
  type HooksApi,
} from '../../webhooks/index.js';
import type { WebhookSettings } from '../../webhooks/index.js';
import type { CommandContext } from '../context.js';
import type { CommandInput } from '../command.js';
import { waitTimeout } from './deploy.js';
import { openSecretsRun } from './secrets-common.js';

export interface WebhookOptions {
  repo?: string;
  org?: string;
  group?: string;
  tokenEnv?: string;
  apiUrl?: string;
  url?: string;
  waitTimeout?: string;
}

export interface WebhookRun {
  settings: WebhookSettings;
  target: HookTarget;
  targetText: string;
  api: HooksApi;
  /** Opens the Google session on first use (not needed when --url and a list suffice). */
  secretsRun: () => Promise<SecretsRun>;
}

/** Everything but Google: checked before any call, so a usage mistake costs nothing. */
export async function openWebhookRun(ctx: CommandContext, input: CommandInput): Promise<WebhookRun> {
  const o = input.options as WebhookOptions;
  const config = await ctx.config();
  const settings = webhookSettings(config.atlantis.vcs, o.apiUrl);
  const target = parseTarget(settings.provider, o);
  const token = readAdminToken(ctx.env, o.tokenEnv, settings.label);
  const api = openHooksApi(settings, token, { signal: ctx.signal, log: (kind, data) => ctx.log.write(kind, data) });
  let run: Promise<SecretsRun> | undefined;
  return {
    settings,
    target,
    targetText: describeTarget(target),
    api,
    secretsRun: () => (run ??= openSecretsRun(ctx, waitTimeout(input.options))),
  };
}

/** --url, else the mapped domain, else the live service's URL (+ /events); undefined when not deployed. */
export async function atlantisWebhookUrl(ctx: CommandContext, input: CommandInput, w: WebhookRun): Promise<string | undefined> {
  const o = input.options as WebhookOptions;
  if (o.url !== undefined) return checkUrl(o.url);
  const config = await ctx.config();
  if (config.domain) return `https://${config.domain}/events`;
  const run = await w.secretsRun();
  const live = await getService(run.gcp, config.names.serviceName);
  const uri = ((live?.urls as string[] | undefined)?.[0] ?? (live?.uri as string | undefined)) || undefined;
  return webhookUrl(config, uri, run.lock?.projectNumber);
}

export async function requireWebhookUrl(ctx: CommandContext, input: CommandInput, w: WebhookRun): Promise<string> {
  const url = await atlantisWebhookUrl(ctx, input, w);
  if (!url) {
    throw new UsageError('the webhook URL is not known yet: the service is not deployed', {
      hint: 'run `atlantis-run deploy` first, or pass --url https://HOST/events',
    });
  }
  return url;
}

/** The webhook secret in use (the version the live service pins, else the newest). */
export async function webhookSecret(ctx: CommandContext, w: WebhookRun): Promise<{ value: string; secretId: string; version: string }> {
  const config = await ctx.config();
  const d = selectSecret(config, 'webhook-secret');
  const revealed = await revealValue(await w.secretsRun(), d);
  return { value: revealed.data.toString('utf8').trim(), secretId: revealed.secretId, version: revealed.version };
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url: expected the Atlantis webhook URL, such as https://atlantis.example.com/events, got "${url}"`);
  }
  if (parsed.protocol !== 'https:') throw new UsageError('--url: the VCS must reach Atlantis over https://');
  return url;
}
