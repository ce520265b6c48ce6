// `atlantis-run secrets rotate webhook-secret|web-password`: confirm (webhooks fail until the VCS
// side has the new secret), generate, push, roll out, then say exactly what to change where.
import { UsageError } from '../../errors.js';
import { checkOutputPath, writeValueFile, writeValueToTerminal } from '../../secrets/output.js';
import { formatPushResult } from '../../secrets/push.js';
import { rotateSecret, rotationSteps, selectRotatable, webhookUrl } from '../../secrets/rotate.js';
import type { CommandHandler } from '../command.js';
import { waitTimeout } from './deploy.js';
import { openSecretsRun, parseKeep, stdoutIsTerminal } from './secrets-common.js';

interface Options {
  show?: boolean;
  output?: string;
  force?: boolean;
  keep?: string;
  waitTimeout?: string;
}

export const handler: CommandHandler = async (ctx, input) => {
  const o = input.options as Options;
  const keep = parseKeep(o.keep);
  const timeoutMs = waitTimeout(input.options);
  const config = await ctx.config();
  const d = selectRotatable(config, input.arg ?? '');
  if (o.show && !stdoutIsTerminal(ctx)) {
    throw new UsageError(`--show prints the new value only to a terminal${ctx.globals.json ? ', never into --json output' : ''}`, {
      hint: 'use --output FILE (written with mode 0600), or read it later on a terminal with `atlantis-run secrets show`',
    });
  }
  // Checked before anything changes: a rotation whose value has nowhere to go is refused up front.
  const output = o.output === undefined ? undefined : await checkOutputPath(o.output, Boolean(o.force), ctx.cwd);

  if (!ctx.globals.yes) {
    const consequence =
      d.name === 'webhook-secret' ? 'webhooks are refused until the VCS side has the new value' : 'the web UI asks for the new password';
    if (!ctx.host.canPrompt) {
      throw new UsageError(`rotating ${d.name} needs confirmation (${consequence}) and this run is not interactive`, {
        hint: 'pass --yes (-y)',
      });
    }
    if (!(await ctx.host.confirm({ message: `Rotate ${d.name}? Once rolled out, ${consequence}.`, flag: '--yes', default: false }))) {
      ctx.host.print('Nothing was changed.');
      ctx.host.result({ ok: true, command: 'secrets rotate', cancelled: true });
      return 0;
    }
  }

  const run = await openSecretsRun(ctx, timeoutMs);
  const { result, value } = await rotateSecret(run, d, keep, output ? (v) => writeValueFile(output, v.data, Boolean(o.force)) : undefined);
  const url = webhookUrl(config, result.url, run.lock?.projectNumber);
  const reveal = o.show
    ? 'shown below'
    : output
      ? `written to ${o.output}, mode 0600`
      : `\`atlantis-run secrets show ${d.name}\` on a terminal prints it`;
  const steps = rotationSteps(config, d.name, url, reveal, result.rollout === 'rolled-out' || result.rollout === 'already-pinned');
  const pushed = result.secrets[0];
  if (ctx.globals.json) {
    ctx.host.result({
      ok: true,
      command: 'secrets rotate',
      name: d.name,
      secretId: d.secretId,
      version: pushed.version,
      ...(output ? { output } : {}),
      ...(url ? { webhookUrl: url } : {}),
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
