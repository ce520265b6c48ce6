// `atlantis-run secrets push [NAME]`: read and validate the value(s) — nothing is called before
// every value is good — then add versions, roll out, prune (src/secrets/push.ts).
import { UsageError } from '../../errors.js';
import { managedSecrets, selectSecret } from '../../secrets/context.js';
import { formatPushResult, pushSecrets, type PushMode, type PushRequest } from '../../secrets/push.js';
import { configuredConflict, sourceStatus, valueFor } from '../../secret-values/source.js';
import { readConfiguredValue } from '../../secret-values/values.js';
import type { Handler } from '../command.js';
import type { secretsPushOptions } from '../command-table.js';
import { emitResult } from '../emit-result.js';
import { parseKeep, waitTimeout } from '../options.js';
import { openRun } from '../session.js';

export const handler: Handler<typeof secretsPushOptions> = async (ctx, input) => {
  const o = input.options;
  const keep = parseKeep(o.keep);
  const timeoutMs = waitTimeout(o.waitTimeout);
  if (o.stage && o.rolloutOnly)
    throw new UsageError('--stage and --rollout-only exclude each other', {
      hint: '--stage adds versions without rolling out; --rollout-only rolls out without adding',
    });
  if (o.rolloutOnly && o.fromFile !== undefined) throw new UsageError('--rollout-only adds no version, so --from-file has nothing to do');
  if (o.fromFile !== undefined && !input.arg)
    throw new UsageError('--from-file needs a NAME: which secret is the value for?', {
      hint: 'atlantis-run secrets push vcs-token --from-file token.txt',
    });
  const mode: PushMode = o.rolloutOnly ? 'rollout-only' : o.stage ? 'stage' : 'rollout';

  const config = await ctx.config();
  const selected = input.arg !== undefined ? selectSecret(config, input.arg) : undefined;
  // A derived value (Memorystore's AUTH string) is the resource's, not the user's: another value would lock Atlantis out.
  if (selected?.spec.origin === 'derived' && mode !== 'rollout-only')
    throw new UsageError(`${selected.name} is read from ${selected.spec.derivedFrom ?? 'another resource'}: it is not pushed by hand`, {
      hint: '`atlantis-run deploy` stores its current value (and --rollout-only pins the newest version)',
    });
  const request: PushRequest = { mode, items: [], keep };
  if (mode === 'rollout-only') {
    request.rolloutOnly = selected ? [selected] : managedSecrets(config);
  } else if (selected) {
    if (o.fromFile === '-' && ctx.host.streams.stdin.isTTY)
      ctx.host.emit({ type: 'info', message: `Reading ${selected.name} from stdin until end of input (Ctrl-D)…` });
    const value = await valueFor(selected, {
      fromFile: o.fromFile,
      stdin: ctx.host.streams.stdin,
      cwd: ctx.cwd,
      env: ctx.env,
      ask: ctx.host.canPrompt ? (message, validate) => ctx.host.password({ message, flag: '--from-file', validate }) : undefined,
    });
    request.items.push({ desired: selected, value });
    const conflict = o.fromFile !== undefined ? await configuredConflict(selected, value, ctx.env) : undefined;
    if (conflict) ctx.host.emit({ type: 'warning', phase: 'secrets', message: conflict });
  } else {
    // Without NAME: every secret whose configured source has a value right now.
    const skipped: string[] = [];
    for (const d of managedSecrets(config)) {
      if (d.spec.origin !== 'user') continue;
      const value = await readConfiguredValue(d, ctx.env);
      if (value) request.items.push({ desired: d, value });
      else skipped.push(`${d.name}: ${sourceStatus(d)}`);
    }
    if (request.items.length === 0) {
      throw new UsageError('nothing to push: no configured source has a value now', {
        hint: `${skipped.join('; ') || 'this configuration has no user-supplied secret'}. Set them, or push one: atlantis-run secrets push NAME --from-file PATH`,
      });
    }
    for (const line of skipped) ctx.host.emit({ type: 'info', phase: 'secrets', message: `skipped ${line}` });
  }

  const run = await openRun(ctx, { waitTimeoutMs: timeoutMs });
  const result = await pushSecrets(run, request);
  if (ctx.globals.json) emitResult(ctx, 'secrets push', result);
  else ctx.host.print(formatPushResult(result, config.service));
  return 0;
};
