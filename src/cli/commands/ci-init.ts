// `atlantis-run ci init github|gitlab`: write the pipeline files from templates/ci into the
// repository (the current directory): deploy on the default branch, a scheduled drift check, keyless
// Google credentials. Existing files are kept unless --force. Prints what is left to do by hand.
import path from 'node:path';
import { UsageError } from '../../errors.js';
import {
  CI_SYSTEMS,
  ciFiles,
  defaultCiOptions,
  GITHUB_ACCOUNT_VARIABLE,
  GITHUB_PROVIDER_VARIABLE,
  type CiOptions,
  type CiSystem,
} from '../../ci/generate.js';
import { loadCiTemplates } from '../../ci/render.js';
import { writeCiFiles } from '../../ci/write.js';
import type { Handler } from '../command.js';
import type { ciInitOptions } from '../command-table.js';
import { emitResult } from '../emit-result.js';

export const handler: Handler<typeof ciInitOptions> = async (ctx, input) => {
  const system = (input.arg ?? '').trim();
  if (!(CI_SYSTEMS as readonly string[]).includes(system)) throw new UsageError(`ci init: expected github or gitlab, got "${system}"`);
  const o = input.options;
  const config = await ctx.config();
  const configPath = path.relative(ctx.cwd, ctx.configPath).split(path.sep).join('/');
  if (configPath.startsWith('..') || path.isAbsolute(configPath)) {
    throw new UsageError(`${ctx.configPath} is outside this directory: run ci init from the repository root`);
  }
  const vcs = config.atlantis.vcs;
  const defaults = defaultCiOptions(configPath, vcs.provider === 'gitlab' ? vcs.hostname : undefined);
  const options: CiOptions = {
    ...defaults,
    ...(o.workloadIdentityProvider !== undefined ? { workloadIdentityProvider: o.workloadIdentityProvider } : {}),
    ...(o.serviceAccount !== undefined ? { serviceAccount: o.serviceAccount } : {}),
    ...(o.install !== undefined ? { install: o.install } : {}),
    ...(o.branch !== undefined ? { defaultBranch: o.branch } : {}),
    ...(o.nodeVersion !== undefined ? { nodeVersion: o.nodeVersion } : {}),
    ...(o.driftSchedule !== undefined ? { driftSchedule: o.driftSchedule } : {}),
    ...(o.audience !== undefined ? { audience: o.audience } : {}),
    ...(o.output !== undefined ? { gitlabCiFile: o.output } : {}),
    ...(o.credentialsFile !== undefined ? { credentialsFile: o.credentialsFile } : {}),
  };
  const files = ciFiles(system as CiSystem, options, await loadCiTemplates());
  const written = await writeCiFiles(ctx.cwd, files, Boolean(o.force));
  const steps = nextSteps(system as CiSystem, options, defaults.install);
  if (ctx.globals.json) {
    emitResult(ctx, 'ci init', {
      system: system as CiSystem,
      files: written.map(({ path: p, action, description }) => ({ path: p, action, description })),
      nextSteps: steps,
    });
    return 0;
  }
  const lines = written.map((f) => `${f.action === 'created' ? 'Wrote' : 'Replaced'} ${f.path}: ${f.description}`);
  lines.push('', 'Next:', ...steps.map((s) => `  - ${s}`));
  ctx.host.print(lines.join('\n'));
  return 0;
};

function nextSteps(system: CiSystem, o: CiOptions, defaultInstall: string): string[] {
  const steps: string[] = [];
  if (o.install === defaultInstall) {
    steps.push(
      `Commit ${o.install.replace(/^\.\//, '')}: atlantis-run is not on the npm registry; make the tarball with \`npm pack\` in a checkout of atlantis-run (or pass --install with a git URL).`,
    );
  }
  if (system === 'github') {
    if (!o.workloadIdentityProvider || !o.serviceAccount) {
      steps.push(
        `Set the repository variables ${GITHUB_PROVIDER_VARIABLE} and ${GITHUB_ACCOUNT_VARIABLE} (Settings → Secrets and variables → Actions → Variables) to what \`atlantis-run ci setup github --repo OWNER/NAME\` prints.`,
      );
    }
    steps.push(
      `Commit the workflows and push to ${o.defaultBranch}: the push deploys; the drift check runs on "${o.driftSchedule}" (UTC) or by hand (Actions → atlantis-run drift check → Run workflow).`,
    );
  } else {
    steps.push(`Commit ${o.gitlabCiFile} and ${o.credentialsFile} (no secret in it) and push to the default branch: the push deploys.`);
    steps.push(
      `Create a pipeline schedule for the drift check (Build → Pipeline schedules), e.g. "${o.driftSchedule}", on the default branch.`,
    );
    steps.push(`The Google provider must allow the audience ${o.audience} (\`atlantis-run ci setup gitlab\` sets it).`);
  }
  return steps;
}
