// `atlantis-run upgrade`: the Atlantis versions newer than the one running (through the registry
// proxy), and the move to one of them — atlantis.version edited in atlantis-run.yaml (comments and
// layout kept), the plan shown with the versions behind the digests, and the deploy on confirmation.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig } from '../../config/load.js';
import { setAtlantisVersion } from '../../config/edit.js';
import { buildReport, formatReport } from '../../deployment/report.js';
import { restartLoss } from '../../deployment/restart.js';
import { chooseVersion, notesBetween, requireUpstream, upgradeCandidates, type UpgradeCandidates } from '../../deployment/upgrade.js';
import type { RunContext } from '../../engine/context.js';
import { runEngine } from '../../engine/runner.js';
import { PHASES } from '../../phases/index.js';
import { writeFileAtomic } from '../../state/atomic-write.js';
import { formatPlan } from '../../ui/plan-format.js';
import { UsageError } from '../../errors.js';
import type { Handler } from '../command.js';
import type { CommandContext } from '../context.js';
import type { upgradeOptions } from '../command-table.js';
import { cancelled, confirmOrRequireYes } from '../confirm.js';
import { emitResult } from '../emit-result.js';
import { waitTimeout } from '../options.js';
import { reportOptions } from '../plan-output.js';
import { openRun } from '../session.js';

export const handler: Handler<typeof upgradeOptions> = async (ctx, input) => {
  const options = input.options;
  if (options.list && (options.to !== undefined || options.editOnly)) {
    throw new UsageError('--list only lists the versions', { hint: 'drop --list to upgrade (with --to or --edit-only)' });
  }
  const config = await ctx.config();
  requireUpstream(config);
  const run = await openRun(ctx, { waitTimeoutMs: waitTimeout(options.waitTimeout) });
  const candidates = await upgradeCandidates(run, { pre: Boolean(options.pre) });
  const base = {
    current: candidates.current,
    currentSource: candidates.currentSource,
    versions: candidates.versions,
    configPath: config.configPath,
  };
  if (options.list) {
    if (ctx.globals.json) emitResult(ctx, 'upgrade', { action: 'listed', ...base });
    else ctx.host.print(formatCandidates(candidates, Boolean(options.pre)));
    return 0;
  }

  const target = chooseVersion(candidates, options.to);
  if (!target || (target.tag === candidates.current && candidates.currentSource === 'deployed' && config.atlantis.version === target.tag)) {
    if (ctx.globals.json) emitResult(ctx, 'upgrade', { action: 'up-to-date', ...base });
    else
      ctx.host.print(
        target
          ? `Atlantis ${target.tag} is running already: nothing to do.`
          : `Atlantis ${candidates.current} is the newest stable version${options.pre ? '' : ' (--pre lists pre-releases)'}.`,
      );
    return 0;
  }

  // The edit, in memory until the deploy is confirmed: a "no" leaves the file as it was.
  const text = await readFile(config.configPath, 'utf8');
  const edited = await setAtlantisVersion(text, target.tag);
  const upgraded: RunContext = {
    ...run,
    config: await parseConfig(edited, config.configPath, { project: ctx.globals.project, region: ctx.globals.region }, ctx.env),
  };
  const configFile = path.basename(config.configPath);
  if (!ctx.globals.json) ctx.host.print(headline(candidates, target.tag));
  if (target.older) {
    ctx.host.emit({
      type: 'warning',
      message: `${target.tag} is older than ${candidates.current}: a downgrade`,
      hint: 'Atlantis does not promise that an older version reads the data a newer one wrote; with in-memory persistence nothing is kept anyway',
    });
  }
  const write = () => writeConfig(config.configPath, edited);

  if (options.editOnly) {
    await write();
    const planned = await runEngine(PHASES, quietPlan(ctx, upgraded), { mode: 'plan' });
    const changes = planned.plan.phases.flatMap((p) => p.plan.changes.map((c) => ({ phase: p.name, ...c })));
    if (ctx.globals.json) {
      emitResult(ctx, 'upgrade', { action: 'edited', ...base, target: target.tag, changes: changes.length });
    } else {
      ctx.host.print(`${configFile}: atlantis.version is now ${target.tag}. \`atlantis-run deploy\` applies this plan:\n`);
      ctx.host.print(changes.length > 0 ? formatPlan(changes) : 'No changes.');
    }
    return 0;
  }

  ctx.host.emit({ type: 'warning', message: restartLoss(config) });
  let written = false;
  const result = await runEngine(PHASES, upgraded, {
    mode: 'deploy',
    confirm: async (plan) => {
      const go = await confirmOrRequireYes(ctx, {
        question: `Upgrade Atlantis ${candidates.current} → ${target.tag}: write atlantis.version to ${configFile} and apply ${plan.changeCount} change${plan.changeCount === 1 ? '' : 's'}`,
        refusal: `upgrading Atlantis to ${target.tag} needs confirmation (Atlantis restarts) and this run is not interactive`,
        hint: 'pass --yes (-y), or --edit-only to change the file and deploy later',
      });
      if (go) {
        await write();
        written = true;
      }
      return go;
    },
  });
  if (result.cancelled) {
    return cancelled(ctx, 'upgrade', `Nothing was changed: ${configFile} still says ${config.atlantis.version}.`, {
      cancelled: true,
      current: candidates.current,
      target: target.tag,
    });
  }
  if (!written) await write(); // nothing to apply: the deployment runs the target already
  const report = buildReport(upgraded.config, result, reportOptions(ctx.globals, run.gcp.factory.usingEmulator));
  if (ctx.globals.json) {
    emitResult(ctx, 'upgrade', {
      action: 'upgraded',
      ...base,
      target: target.tag,
      changes: report.changes,
      ...(report.revision ? { revision: report.revision } : {}),
      ...(report.image ? { image: report.image } : {}),
      url: report.url,
    });
  } else {
    ctx.host.print(`${configFile}: atlantis.version is now ${target.tag}.`);
    ctx.host.print(formatReport(report));
  }
  return 0;
};

/** The versions newer than the one running, newest first, each with its release notes. */
function formatCandidates(candidates: UpgradeCandidates, pre: boolean): string {
  const running = `Atlantis ${candidates.current} (${candidates.currentSource === 'deployed' ? 'deployed' : 'atlantis.version'})`;
  if (candidates.versions.length === 0) return `${running} is the newest${pre ? '' : ' stable'} version.`;
  const width = Math.max(...candidates.versions.map((v) => v.tag.length));
  return [
    `${running}. Newer versions${pre ? ' (pre-releases included)' : ''}, newest first:`,
    ...candidates.versions.map((v) => `  ${v.tag.padEnd(width)}  ${v.prerelease ? 'pre-release  ' : ''}${v.releaseNotes}`),
    '',
    `Upgrade with \`atlantis-run upgrade\` (newest stable) or \`atlantis-run upgrade --to VERSION\`.`,
  ].join('\n');
}

/** `image: v0.47.1 → v0.48.0` and what the releases in between say. */
function headline(candidates: UpgradeCandidates, target: string): string {
  const notes = notesBetween(candidates, target);
  return [
    `Upgrade: image: ${candidates.current} → ${target}`,
    ...(notes.length > 0 ? ['Release notes:', ...notes.map((n) => `  ${n.tag}  ${n.releaseNotes}`)] : []),
    '',
  ].join('\n');
}

/** Replaces the file atomically, keeping its permissions. */
async function writeConfig(file: string, content: string): Promise<void> {
  const mode = (await stat(file)).mode & 0o777;
  await writeFileAtomic(file, content, mode);
}

/** The planned changes are this command's output (printed once, on stdout), as with `plan`. */
function quietPlan(ctx: CommandContext, run: RunContext): RunContext {
  return {
    ...run,
    emit: (event) => {
      if (event.type === 'resource-changed' && event.planned && !ctx.globals.json) return;
      run.emit(event);
    },
  };
}
