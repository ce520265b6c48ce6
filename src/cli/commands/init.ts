// `atlantis-run init`: the wizard lives in src/init/; this only maps options and prints the outcome.
import path from 'node:path';
import { runInit } from '../../init/run.js';
import type { InitFlags } from '../../init/wizard.js';
import type { Handler } from '../command.js';
import { emitResult } from '../emit-result.js';
import type { initOptions } from '../command-table.js';
import { openRun } from '../session.js';

export const handler: Handler<typeof initOptions> = async (ctx, input) => {
  const flags: InitFlags = { ...input.options };
  // The global --project / --region answer the first two questions.
  if (ctx.globals.project !== undefined) flags.project = ctx.globals.project;
  if (ctx.globals.region !== undefined) flags.region = ctx.globals.region;

  const result = await runInit(
    {
      ...ctx,
      configFlag: ctx.globals.config,
      onCleanup: (fn) => ctx.onCleanup(fn),
      openRun: (waitTimeoutMs) => openRun(ctx, { waitTimeoutMs }),
    },
    flags,
  );
  const shown = (file: string) => path.relative(ctx.cwd, file) || file;

  if (ctx.globals.json) {
    emitResult(ctx, 'init', {
      configPath: result.configPath,
      files: result.files,
      project: result.config.project,
      region: result.config.region,
      service: result.config.service,
      provider: result.config.atlantis.vcs.provider,
      secrets: result.secrets.map(({ name, secretId, source, status }) => ({ name, secretId, source, status })),
      nextSteps: result.nextSteps,
    });
    return;
  }

  const lines: string[] = [];
  const verb = (file: string) => (result.kept.includes(file) ? 'Kept (unchanged)' : 'Wrote');
  lines.push(
    `${verb(result.configPath)} ${shown(result.configPath)} — ${result.config.atlantis.vcs.provider}, ${result.config.project} / ${result.config.region}, service ${result.config.service}`,
  );
  for (const file of result.files.slice(1))
    lines.push(`${verb(file)} ${shown(file)} — starter server-side repo config (Atlantis repos.yaml)`);
  for (const used of result.defaultsUsed) lines.push(`  ${used}`);
  for (const s of result.secrets) if (s.status === 'pushed') lines.push(`Stored ${s.name}: ${s.instruction}`);
  lines.push('', 'Next steps:');
  result.nextSteps.forEach((step, i) => lines.push(`  ${i + 1}. ${step}`));
  ctx.host.print(lines.join('\n'));
};
