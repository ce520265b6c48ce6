// `atlantis-run secrets rotate webhook-secret|web-password`: confirm (webhooks fail until the VCS
// side has the new secret), generate, push, roll out, then say exactly what to change where.
import { UsageError } from '../../errors.js';
import { checkOutputPath, writeValueFile, writeValueToTerminal } from '../../secrets/output.js';
import { formatPushResult } from '../../secrets/push.js';
import { rotateSecret, rotationSteps, selectRotatable, webhookUrl } from '../../secrets/rotate.js';
import type { Handler } from '../command.js';
import type { secretsRotateOptions } from '../command-table.js';
import { cancelled, confirmOrRequireYes } from '../confirm.js';
import { emitResult } from '../emit-result.js';
import { parseKeep, waitTimeout } from '../options.js';
import { openRun } from '../session.js';
import { stdoutIsTerminal } from './secrets-common.js';

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

  const consequence =
    d.name === 'webhook-secret' ? 'webhooks are refused until the VCS side has the new value' : 'the web UI asks for the new password';
  const go = await confirmOrRequireYes(ctx, {
    question: `Rotate ${d.name}`,
    detail: `Once rolled out, ${consequence}.`,
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
  const steps = rotationSteps(config, d.name, url, reveal, result.rollout === 'rolled-out' || result.rollout === 'already-pinned');
  const pushed = result.secrets[0];
  if (ctx.globals.json) {
    emitResult(ctx, 'secrets rotate', {
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
