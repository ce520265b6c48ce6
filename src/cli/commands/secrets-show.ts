// `atlantis-run secrets show NAME`: the value in use, on a terminal or into --output FILE (0600).
// Refused into --json output and into a pipe: a value must not end up in a CI log by accident.
import { UsageError } from '../../errors.js';
import { selectSecret } from '../../secrets/context.js';
import { checkOutputPath, writeValueFile, writeValueToTerminal } from '../../secrets/output.js';
import { revealValue } from '../../secrets/show.js';
import type { Handler } from '../command.js';
import type { secretsShowOptions } from '../command-table.js';
import { emitResult } from '../emit-result.js';
import { waitTimeout } from '../options.js';
import { openRun } from '../session.js';
import { stdoutIsTerminal } from './secrets-common.js';

export const handler: Handler<typeof secretsShowOptions> = async (ctx, input) => {
  const o = input.options;
  const config = await ctx.config();
  const d = selectSecret(config, input.arg ?? '');
  if (o.output === undefined) {
    if (ctx.globals.json)
      throw new UsageError('secrets show never puts a value into --json output', { hint: 'use --output FILE (written with mode 0600)' });
    if (!stdoutIsTerminal(ctx)) {
      throw new UsageError('stdout is not a terminal: secrets show does not print a value into a pipe or a file', {
        hint: 'run it on a terminal, or use --output FILE (written with mode 0600)',
      });
    }
  }
  const output = o.output === undefined ? undefined : await checkOutputPath(o.output, Boolean(o.force), ctx.cwd);

  const run = await openRun(ctx, { waitTimeoutMs: waitTimeout(o.waitTimeout) });
  const revealed = await revealValue(run, d);
  const what = `${revealed.secretId} version ${revealed.version} (${revealed.which === 'in use' ? 'in use' : `newest; ${config.service} does not pin it yet`})`;
  if (output) {
    await writeValueFile(output, revealed.data, Boolean(o.force));
    if (ctx.globals.json)
      emitResult(ctx, 'secrets show', {
        name: d.name,
        secretId: d.secretId,
        version: revealed.version,
        which: revealed.which,
        output,
      });
    else ctx.host.print(`Wrote ${what} to ${o.output} (mode 0600).`);
    return 0;
  }
  ctx.host.emit({ type: 'info', message: `${what}:` });
  // Deliberately not host.print(): that redacts the very value asked for. This is the one place.
  writeValueToTerminal(ctx.host.streams.stdout, revealed.data);
  return 0;
};
