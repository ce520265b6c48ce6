// `atlantis-run secrets rotate webhook-secret|web-password`: confirm (webhooks fail until the VCS
// side has the new secret), generate, push, roll out, then say exactly what to change where — or,
// with --update-webhooks, change it there too: the hook target and admin token are checked before
// anything changes, and the hook gets the new secret right after the rollout.
import type { AtlantisRunConfig } from '../../config/load.js';
import type { DesiredSecret } from '../../desired/index.js';
import { OperationError, UsageError } from '../../errors.js';
import type { SecretValue } from '../../secret-values/values.js';
import type { PushResult } from '../../secrets/push.js';
import { checkOutputPath, writeValueFile, writeValueToTerminal } from '../../secrets/output.js';
import { formatPushResult } from '../../secrets/push.js';
import { rotateSecret, rotationSteps, selectRotatable, webhookUrl } from '../../secrets/rotate.js';
import type { Handler } from '../command.js';
import type { secretsRotateOptions } from '../command-table.js';
import { cancelled, confirmOrRequireYes } from '../confirm.js';
import { emitResult } from '../emit-result.js';
import { parseKeep, waitTimeout } from '../options.js';
import { openRun } from '../session.js';
import {
  describeTarget,
  openHooksApi,
  parseTarget,
  readAdminToken,
  reconcileHook,
  webhookSettings,
  type HookTarget,
  type HooksApi,
  type WebhookSettings,
} from '../../webhooks/index.js';
import type { CommandContext } from '../context.js';
import type { OptionsOf } from '../command.js';
import { stdoutIsTerminal } from './secrets-common.js';
import { checkUrl } from './webhook-common.js';

type RotateOptions = OptionsOf<typeof secretsRotateOptions>;

interface HookUpdate {
  settings: WebhookSettings;
  target: HookTarget;
  targetText: string;
  api: HooksApi;
}

/** The webhook outcome a rotation reports. */
interface HookOutcome {
  provider: WebhookSettings['provider'];
  target: string;
  url: string;
  action: 'created' | 'updated' | 'unchanged';
  hookId: number;
}

const HOOK_FLAGS = ['repo', 'org', 'group', 'tokenEnv', 'apiUrl', 'url'] as const;

export const handler: Handler<typeof secretsRotateOptions> = async (ctx, input) => {
  const o = input.options;
  const keep = parseKeep(o.keep);
  const timeoutMs = waitTimeout(o.waitTimeout);
  const config = await ctx.config();
  const d = selectRotatable(config, input.arg ?? '');
  if (o.show && !stdoutIsTerminal(ctx)) {
    throw new UsageError(`--show prints the new value only to a terminal${ctx.globals.json ? ', never into --json output' : ''}`, {
      hint: 'use --output FILE (written with mode 0600), or read it later on a terminal with `atlantis-run secrets show`',
    });
  }
  // Checked before anything changes: a rotation whose value has nowhere to go is refused up front.
  const output = o.output === undefined ? undefined : await checkOutputPath(o.output, Boolean(o.force), ctx.cwd);
  const hooks = o.updateWebhooks ? await prepareHookUpdate(ctx, config, d, o) : refuseHookFlags(o);

  const consequence =
    d.name === 'webhook-secret' ? 'webhooks are refused until the VCS side has the new value' : 'the web UI asks for the new password';
  const go = await confirmOrRequireYes(ctx, {
    question: `Rotate ${d.name}`,
    detail: hooks ? `Once rolled out, the webhook on ${hooks.targetText} gets the new secret.` : `Once rolled out, ${consequence}.`,
    refusal: `rotating ${d.name} needs confirmation (${consequence}) and this run is not interactive`,
  });
  if (!go) return cancelled(ctx, 'secrets rotate', 'Nothing was changed.', { cancelled: true });

  const run = await openRun(ctx, { waitTimeoutMs: timeoutMs });
  const { result, value } = await rotateSecret(run, d, keep, output ? (v) => writeValueFile(output, v.data, Boolean(o.force)) : undefined);
  const url = webhookUrl(config, result.url, run.lock?.projectNumber);
  const reveal = o.show
    ? 'shown below'
    : output
      ? `written to ${o.output}, mode 0600`
      : `\`atlantis-run secrets show ${d.name}\` on a terminal prints it`;
  const live = result.rollout === 'rolled-out' || result.rollout === 'already-pinned';
  const webhook = hooks ? await updateHook(ctx, hooks, result, value, live ? (o.url ?? url) : undefined) : undefined;
  const steps = webhook
    ? [
        `The webhook on ${webhook.target} (${hooks!.settings.label}, hook ${webhook.hookId}) ${webhook.action === 'created' ? 'was created' : 'was updated'} with the new secret: nothing to change by hand.`,
        'Send a test delivery (or comment on a pull request) to check it is accepted.',
      ]
    : rotationSteps(config, d.name, url, reveal, live);
  const pushed = result.secrets[0];
  if (ctx.globals.json) {
    emitResult(ctx, 'secrets rotate', {
      name: d.name,
      secretId: d.secretId,
      version: pushed.version,
      ...(output ? { output } : {}),
      ...(url ? { webhookUrl: url } : {}),
      ...(webhook ? { webhook } : {}),
      steps,
      ...result,
    });
    return 0;
  }
  ctx.host.print([formatPushResult(result, config.service), '', ...steps].join('\n'));
  if (o.show) {
    ctx.host.emit({ type: 'info', message: `New value of ${d.name} (${d.secretId} version ${pushed.version}):` });
    // Deliberately not host.print(), which redacts it: --show on a terminal asked for this value.
    writeValueToTerminal(ctx.host.streams.stdout, value.data);
  }
  return 0;
};

/** --repo/--org/--group, --token-env, --api-url and --url only mean something with --update-webhooks. */
function refuseHookFlags(o: RotateOptions): undefined {
  const given = HOOK_FLAGS.filter((flag) => o[flag] !== undefined);
  if (given.length > 0) {
    const flags = given.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ');
    throw new UsageError(`${flags}: only with --update-webhooks, which sends the new secret to that webhook`);
  }
  return undefined;
}

/** Everything the webhook side needs, checked before the rotation: the target, the token, and that the token may read the hooks. */
async function prepareHookUpdate(ctx: CommandContext, config: AtlantisRunConfig, d: DesiredSecret, o: RotateOptions): Promise<HookUpdate> {
  if (d.name !== 'webhook-secret') {
    throw new UsageError(`--update-webhooks: only the webhook secret is sent to webhooks, not ${d.name}`);
  }
  const settings = webhookSettings(config.atlantis.vcs, o.apiUrl);
  const target = parseTarget(settings.provider, o);
  const token = readAdminToken(ctx.env, o.tokenEnv, settings.label);
  if (o.url !== undefined) checkUrl(o.url);
  const api = openHooksApi(settings, token, { signal: ctx.signal, log: (kind, data) => ctx.log.write(kind, data) });
  // A token that cannot manage this target's hooks is found now, before Atlantis expects a new secret.
  await api.list(target);
  return { settings, target, targetText: describeTarget(target), api };
}

/** After the rollout: the hook gets the new secret (created if missing). Not deployed: nothing to update yet. */
async function updateHook(
  ctx: CommandContext,
  hooks: HookUpdate,
  result: PushResult,
  value: SecretValue,
  url: string | undefined,
): Promise<HookOutcome | undefined> {
  if (!url) {
    ctx.host.emit({
      type: 'warning',
      message: `the service is not deployed, so the webhook on ${hooks.targetText} was left alone (rollout: ${result.rollout})`,
      hint: 'after `atlantis-run deploy`, `atlantis-run webhook add` sends the secret in use',
    });
    return undefined;
  }
  try {
    const reconciled = await reconcileHook(
      hooks.api,
      hooks.target,
      { url, events: [...hooks.api.atlantisEvents], secret: value.data.toString('utf8') },
      { secret: 'resend' },
    );
    return { provider: hooks.settings.provider, target: hooks.targetText, url, action: reconciled.action, hookId: reconciled.hook.id };
  } catch (err) {
    throw new OperationError(
      `the new webhook secret is live in Atlantis, but updating the webhook on ${hooks.targetText} failed: ${(err as Error).message}`,
      {
        hint: 'webhooks are refused until it is: retry with `atlantis-run webhook add` and the same --repo/--org/--group and --token-env (it sends the secret in use)',
        cause: err,
      },
    );
  }
}
