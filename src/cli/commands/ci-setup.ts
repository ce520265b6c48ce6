// `atlantis-run ci setup github|gitlab --repo …`: keyless CI access for one repository — the CI
// phase list in one engine run (plan, confirm on a terminal or -y, apply) — then the values the
// pipeline needs: the repository variables `ci init github` reads, or the flags of `ci init gitlab`.
import { GITHUB_ACCOUNT_VARIABLE, GITHUB_PROVIDER_VARIABLE } from '../../ci/generate.js';
import { runCiSetup, type CiSetupOutcome } from '../../deployment/ci.js';
import { parseCiTarget, systemTitle } from '../../phases/ci/target.js';
import type { Handler } from '../command.js';
import type { ciSetupOptions } from '../command-table.js';
import { cancelled, confirmOrRequireYes } from '../confirm.js';
import { emitResult } from '../emit-result.js';
import { waitTimeout } from '../options.js';
import { openRun } from '../session.js';

export const handler: Handler<typeof ciSetupOptions> = async (ctx, input) => {
  const o = input.options;
  // Usage mistakes first: nothing is read or changed for them.
  const target = parseCiTarget((input.arg ?? '').trim(), o.repo, o.audience);
  const config = await ctx.config();
  const run = await openRun(ctx, { waitTimeoutMs: waitTimeout(o.waitTimeout) });
  const setup = await runCiSetup(run, target, (plan) =>
    confirmOrRequireYes(ctx, {
      question: `Apply ${plan.changeCount} change${plan.changeCount === 1 ? '' : 's'} to give ${target.repo} deploy access to ${config.project}`,
      hint: 'review the plan above, then pass --yes (-y)',
    }),
  );
  if (!setup.outcome) return cancelled(ctx, 'ci setup', 'Nothing was changed.', { cancelled: true, changes: 0 });
  const outcome = setup.outcome;
  const variables =
    outcome.system === 'github'
      ? { [GITHUB_PROVIDER_VARIABLE]: outcome.workloadIdentityProvider, [GITHUB_ACCOUNT_VARIABLE]: outcome.serviceAccount }
      : undefined;
  const steps = nextSteps(outcome, ctx.globals.config);
  if (ctx.globals.json) {
    emitResult(ctx, 'ci setup', { ...outcome, ...(variables ? { variables } : {}), nextSteps: steps });
    return 0;
  }
  ctx.host.print(formatOutcome(outcome, variables, steps));
  return 0;
};

function formatOutcome(o: CiSetupOutcome, variables: Record<string, string> | undefined, steps: string[]): string {
  const lines = [
    `${o.changes === 0 ? 'Already in place' : 'Done'}: ${systemTitle(o.system)} pipelines of ${o.repo} may deploy to ${o.project}.`,
    `  workload identity provider: ${o.workloadIdentityProvider}`,
    `  condition:                  ${o.attributeCondition}`,
    `  service account:            ${o.serviceAccount}`,
    `  role:                       ${o.role} (${o.permissions.length} permissions, exactly what the enabled phases declare)`,
    `  may act as:                 ${o.actAs.join(', ') || '(none)'}`,
  ];
  if (o.audience) lines.push(`  audience:                   ${o.audience}`);
  if (variables) {
    lines.push('', 'Repository variables (Settings → Secrets and variables → Actions → Variables):');
    for (const [name, value] of Object.entries(variables)) lines.push(`  ${name}=${value}`);
  }
  lines.push('', 'Next:', ...steps.map((s) => `  - ${s}`));
  return lines.join('\n');
}

function nextSteps(o: CiSetupOutcome, configFlag: string | undefined): string[] {
  const config = configFlag ? ` --config ${configFlag}` : '';
  const steps: string[] = [];
  if (o.system === 'github') {
    steps.push(
      `Set the two repository variables above on ${o.repo}, e.g. \`gh variable set ${GITHUB_PROVIDER_VARIABLE} --repo ${o.repo} --body ${o.workloadIdentityProvider}\` and \`gh variable set ${GITHUB_ACCOUNT_VARIABLE} --repo ${o.repo} --body ${o.serviceAccount}\`.`,
      `Write the workflows with \`atlantis-run ci init github${config}\`, commit them and push: the push deploys.`,
    );
  } else {
    const audience = o.audience ? ` --audience ${o.audience}` : '';
    steps.push(
      `Write the pipeline with \`atlantis-run ci init gitlab${config} --workload-identity-provider ${o.workloadIdentityProvider} --service-account ${o.serviceAccount}${audience}\`, commit it and push: the push deploys.`,
    );
  }
  steps.push(
    'Run `atlantis-run ci setup` again whenever atlantis-run.yaml changes what a deploy needs (project roles, persistence, a build): the role follows. Until then preflight refuses such a deploy, naming the missing permissions.',
  );
  return steps;
}
