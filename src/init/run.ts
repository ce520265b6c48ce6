// `atlantis-run init` end to end: refuse to clobber, find defaults, ask (or read flags), render,
// validate with the same parser every other command uses, then write atomically.
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROVIDERS } from '../atlantis/catalog.js';
import { parseConfig, type AtlantisRunConfig } from '../config/load.js';
import type { RunContext } from '../engine/context.js';
import { InterruptedError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { IoHost } from '../ui/host.js';
import type { DebugLog } from '../util/debug-log.js';
import { findDefaults, type InitDefaults } from './defaults.js';
import { REPO_CONFIG_FILE, renderConfig, schemaReference } from './document.js';
import { handOffSecrets, type SecretHandoff } from './secrets-handoff.js';
import { Wizard, type InitAnswers, type InitFlags } from './wizard.js';

/** What init needs from the command that runs it (the CLI's context satisfies it). */
export interface InitContext {
  readonly host: IoHost;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly log: DebugLog;
  readonly signal: AbortSignal;
  /** Where atlantis-run.yaml goes, and the lockfile beside it. */
  readonly configPath: string;
  readonly lockfilePath: string;
  /** The --config flag as given, repeated in the next steps. */
  readonly configFlag: string | undefined;
  onCleanup(fn: () => Promise<void> | void): void;
  /** Connects to Google Cloud for the written configuration (only when values are stored now). */
  openRun(waitTimeoutMs: number): Promise<RunContext>;
}

export interface InitResult {
  configPath: string;
  /** Every file written, absolute paths, config first. */
  files: string[];
  config: AtlantisRunConfig;
  answers: InitAnswers;
  defaults: InitDefaults;
  secrets: SecretHandoff[];
  nextSteps: string[];
  /** Answers taken from the environment or gcloud rather than typed or passed as flags. */
  defaultsUsed: string[];
}

/** The starter server-side repo config shipped in the package's templates/. */
export const REPOS_TEMPLATE = new URL('../../templates/repos.yaml', import.meta.url);

export async function runInit(ctx: InitContext, flags: InitFlags): Promise<InitResult> {
  if (flags.nonInteractive) ctx.host.disablePrompts();
  const force = flags.force === true;
  const configPath = ctx.configPath;
  const configDir = path.dirname(configPath);
  const reposPath = path.join(configDir, REPO_CONFIG_FILE);
  const shown = (file: string) => path.relative(ctx.cwd, file) || file;

  // Before the first question: nobody should answer a wizard only to be told the file exists.
  refuseToOverwrite(configPath, force, shown(configPath), '--config');

  if (ctx.host.canPrompt) {
    ctx.host.emit({
      type: 'info',
      message: `Creating ${shown(configPath)}. Every question has a flag (atlantis-run init --help); nothing is written before the last answer.`,
    });
  }
  const defaults = await findDefaults(
    ctx.env,
    ctx.log,
    { project: flags.project === undefined, region: flags.region === undefined },
    ctx.signal,
  );
  if (ctx.signal.aborted) throw new InterruptedError('interrupted before the first question; nothing was changed');
  const answers = await new Wizard(flags, {
    host: ctx.host,
    defaults,
    cwd: ctx.cwd,
    configDir,
    env: ctx.env,
    checkRepoConfigTarget: () => refuseToOverwrite(reposPath, force, shown(reposPath)),
  }).run();
  ctx.log.write('init-answers', { answers });

  const text = renderConfig(answers, schemaReference(configDir));
  // Never write a file the other commands would refuse: parse it exactly as they will, without
  // letting this shell's ATLANTIS_RUN_* / CLOUDSDK_* variables stand in for what the file says.
  const config = await parseConfig(text, configPath, {}, {});

  // Files may have appeared while the questions were asked.
  refuseToOverwrite(configPath, force, shown(configPath), '--config');
  if (answers.repoConfig) refuseToOverwrite(reposPath, force, shown(reposPath));

  await mkdir(configDir, { recursive: true });
  const files: string[] = [];
  if (answers.repoConfig) {
    await writeFileAtomic(reposPath, await readFile(REPOS_TEMPLATE, 'utf8'));
    files.push(reposPath);
  }
  await writeFileAtomic(configPath, text);
  files.unshift(configPath);
  ctx.log.write('init-wrote', { files });

  const secrets = await handOffSecrets({
    config,
    host: ctx.host,
    env: ctx.env,
    cwd: ctx.cwd,
    interactive: ctx.host.canPrompt,
    ...(flags.pushSecrets !== undefined ? { push: flags.pushSecrets } : {}),
    ctx,
  });
  const defaultsUsed: string[] = [];
  if (flags.project === undefined && defaults.project?.value === answers.project)
    defaultsUsed.push(`project ${answers.project} (from ${defaults.project.source})`);
  if (flags.region === undefined && defaults.region?.value === answers.region)
    defaultsUsed.push(`region ${answers.region} (from ${defaults.region.source})`);

  return { configPath, files, config, answers, defaults, secrets, nextSteps: nextSteps(ctx, config, secrets), defaultsUsed };
}

function refuseToOverwrite(file: string, force: boolean, shown: string, otherFlag?: string): void {
  if (!existsSync(file)) return;
  if (statSync(file).isDirectory()) throw new UsageError(`${shown} is a directory, not a file`);
  if (force) return;
  throw new UsageError(`${shown} already exists; it was left untouched`, {
    hint: `pass --force to replace it${otherFlag ? `, or ${otherFlag} to write another file` : ''}`,
  });
}

function nextSteps(ctx: InitContext, config: AtlantisRunConfig, secrets: SecretHandoff[]): string[] {
  const withConfig = ctx.configFlag ? ` --config ${ctx.configFlag}` : '';
  const steps: string[] = [];
  for (const s of secrets) if (s.status === 'to-supply') steps.push(`supply ${s.name}: ${s.instruction}`);
  steps.push(`atlantis-run render${withConfig}   — every resource deploy will create, offline`);
  steps.push(`atlantis-run deploy${withConfig}   — creates them in ${config.project} (${config.region}) and prints the webhook URL`);
  steps.push(`add the webhook — ${PROVIDERS[config.atlantis.vcs.provider].webhookHelp}`);
  return steps;
}
