// `ci init`: the generated GitHub workflows pass GitHub's workflow parser, the GitLab pipeline passes
// GitLab's CI schema, the credential configuration is one google-auth-library accepts, and the
// shell steps do what they say when run (against a stand-in atlantis-run on PATH).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GoogleAuth, IdentityPoolClient } from 'google-auth-library';
import { ciFiles, defaultCiOptions, type CiOptions } from '../../src/ci/generate.js';
import { loadCiTemplates } from '../../src/ci/render.js';
import { writeCiFiles } from '../../src/ci/write.js';
import { isAtlantisRunError } from '../../src/errors.js';
import { githubWorkflowErrors, gitlabCiErrors } from '../support/ci-schemas.js';
import { tempDir } from '../support/fixtures.js';

const PROVIDER = 'projects/123456789012/locations/global/workloadIdentityPools/gitlab/providers/atlantis-run';
const ACCOUNT = 'atlantis-deployer@my-project.iam.gserviceaccount.com';
const templates = await loadCiTemplates();
const options = (extra: Partial<CiOptions> = {}): CiOptions => ({ ...defaultCiOptions('infra/atlantis-run.yaml'), ...extra });

type Step = { uses?: string; run?: string; name?: string; with?: Record<string, string>; env?: Record<string, string> };

/** A directory with a stand-in `atlantis-run` that prints `output` and exits with `code`. */
function fakeCli(output: string, code: number): string {
  const dir = tempDir();
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'atlantis-run'), `#!/bin/sh\necho "$*" > "${dir}/argv"\ncat <<'OUT'\n${output}\nOUT\nexit ${code}\n`);
  chmodSync(path.join(bin, 'atlantis-run'), 0o755);
  return dir;
}

function runStep(script: string, dir: string, env: Record<string, string> = {}) {
  // GitHub runs `run:` with bash -e -o pipefail.
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd: dir,
    env: { PATH: `${dir}/bin:${process.env.PATH}`, HOME: dir, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const OK_RESULT = JSON.stringify({
  type: 'result',
  ok: true,
  command: 'deploy',
  url: 'https://atlantis-abc-ew.a.run.app',
  webhookUrl: 'https://atlantis-abc-ew.a.run.app/events',
  revision: 'atlantis-00002-xyz',
  image: 'europe-west1-docker.pkg.dev/p/r/atlantis@sha256:abc',
  changes: 3,
  project: 'my-project',
  region: 'europe-west1',
  service: 'atlantis',
});

describe('ci init github', () => {
  const files = ciFiles('github', options(), templates);
  const deploy = files.find((f) => f.path === '.github/workflows/atlantis-run-deploy.yml')!;
  const drift = files.find((f) => f.path === '.github/workflows/atlantis-run-drift.yml')!;

  it('writes two workflows that GitHub’s workflow parser accepts', async () => {
    expect(files.map((f) => f.path)).toEqual(['.github/workflows/atlantis-run-deploy.yml', '.github/workflows/atlantis-run-drift.yml']);
    expect(await githubWorkflowErrors(deploy.path, deploy.content)).toEqual([]);
    expect(await githubWorkflowErrors(drift.path, drift.content)).toEqual([]);
    // The parser does reject a broken workflow.
    expect(await githubWorkflowErrors('x.yml', deploy.content.replace(/^ {2}id-token: write$/m, '  id-token: maybe'))).not.toEqual([]);
  });

  it('deploys on push to the default branch with keyless auth: checkout, then auth, then deploy -y --json', () => {
    const wf = parse(deploy.content);
    expect(wf.on.push.branches).toEqual(['main']);
    expect(wf.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const steps = wf.jobs.deploy.steps as Step[];
    const index = (pred: (s: Step) => boolean) => steps.findIndex(pred);
    const checkout = index((s) => s.uses?.startsWith('actions/checkout@') ?? false);
    const auth = index((s) => s.uses === 'google-github-actions/auth@v3');
    const run = index((s) => s.run?.includes('atlantis-run deploy -y --json') ?? false);
    expect(checkout).toBe(0);
    expect(auth).toBeGreaterThan(checkout);
    expect(run).toBeGreaterThan(auth);
    expect(steps[auth].with).toEqual({
      workload_identity_provider: '${{ vars.ATLANTIS_RUN_WORKLOAD_IDENTITY_PROVIDER }}',
      service_account: '${{ vars.ATLANTIS_RUN_SERVICE_ACCOUNT }}',
    });
    expect(steps[run].run).toContain("--config 'infra/atlantis-run.yaml'");
    expect(deploy.content).toContain("npm install --global --no-audit --no-fund './atlantis-run-");
    expect(deploy.content).toMatch(/not published on the npm registry/);
  });

  it('takes the provider and service account literally when given', () => {
    const [d] = ciFiles(
      'github',
      options({
        workloadIdentityProvider: PROVIDER,
        serviceAccount: ACCOUNT,
        install: 'git+https://github.com/acme/atlantis-run.git#v0.1.0',
      }),
      templates,
    );
    const auth = (parse(d.content).jobs.deploy.steps as Step[]).find((s) => s.uses?.startsWith('google-github-actions/auth'))!;
    expect(auth.with).toEqual({ workload_identity_provider: PROVIDER, service_account: ACCOUNT });
    expect(d.content).toContain("'git+https://github.com/acme/atlantis-run.git#v0.1.0'");
  });

  it('the summary step puts the deploy result in the log and in $GITHUB_STEP_SUMMARY', () => {
    const summary = (parse(deploy.content).jobs.deploy.steps as Step[]).find((s) => s.name === 'Summary')!;
    const dir = tempDir();
    writeFileSync(path.join(dir, 'atlantis-run-deploy.jsonl'), `{"type":"phase-start","phase":"apis"}\n${OK_RESULT}\n`);
    const r = runStep(summary.run!, dir, { ...summary.env, GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md') });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('| webhook URL | https://atlantis-abc-ew.a.run.app/events |');
    expect(readFileSync(path.join(dir, 'summary.md'), 'utf8')).toContain('| revision | atlantis-00002-xyz |');

    writeFileSync(
      path.join(dir, 'atlantis-run-deploy.jsonl'),
      '{"type":"result","ok":false,"command":"deploy","error":{"message":"permission denied","hint":"grant roles/run.admin","exitCode":1}}\n',
    );
    expect(runStep(summary.run!, dir, summary.env).stdout).toMatch(/Deploy failed: permission denied\nhint: grant roles\/run.admin/);
    writeFileSync(path.join(dir, 'atlantis-run-deploy.jsonl'), '');
    expect(runStep(summary.run!, dir, summary.env).stdout).toMatch(/did not finish/);
  });

  it('the deploy step fails the job when deploy fails, and keeps its JSON output', () => {
    const step = (parse(deploy.content).jobs.deploy.steps as Step[]).find((s) => s.name === 'Deploy')!;
    const failing = fakeCli('{"type":"result","ok":false}', 1);
    const r = runStep(step.run!, failing);
    expect(r.code).toBe(1);
    expect(readFileSync(path.join(failing, 'atlantis-run-deploy.jsonl'), 'utf8')).toContain('"ok":false');
    expect(readFileSync(path.join(failing, 'argv'), 'utf8').trim()).toBe('deploy -y --json --config infra/atlantis-run.yaml');
  });

  it('the drift check runs on a schedule and fails on exit 4 with the diff in the log and the summary', () => {
    const wf = parse(drift.content);
    expect(wf.on.schedule).toEqual([{ cron: '17 6 * * *' }]);
    expect(wf.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const plan = (wf.jobs.drift.steps as Step[]).find((s) => s.name === 'Plan')!;

    const drifted = fakeCli('service atlantis\n  ~ template.containers[0].image: a -> b', 4);
    const r = runStep(plan.run!, drifted, { GITHUB_STEP_SUMMARY: path.join(drifted, 'summary.md') });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('~ template.containers[0].image: a -> b');
    expect(r.stdout).toContain('::error title=atlantis-run drift::');
    expect(readFileSync(path.join(drifted, 'summary.md'), 'utf8')).toMatch(/## Drift[\s\S]*```\nservice atlantis\n {2}~ template/);
    expect(readFileSync(path.join(drifted, 'argv'), 'utf8').trim()).toBe('plan --detailed-exitcode --config infra/atlantis-run.yaml');

    const clean = fakeCli('No changes.', 0);
    const ok = runStep(plan.run!, clean, { GITHUB_STEP_SUMMARY: path.join(clean, 'summary.md') });
    expect(ok.code).toBe(0);
    expect(readFileSync(path.join(clean, 'summary.md'), 'utf8')).toMatch(/No drift/);

    const broken = fakeCli('Error: not logged in', 1);
    const failed = runStep(plan.run!, broken, { GITHUB_STEP_SUMMARY: path.join(broken, 'summary.md') });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('::error title=atlantis-run plan failed::exit code 1');
  });
});

describe('ci init gitlab', () => {
  const files = ciFiles('gitlab', options({ workloadIdentityProvider: PROVIDER, serviceAccount: ACCOUNT }), templates);
  const pipeline = files.find((f) => f.path === '.gitlab-ci.yml')!;
  const credentials = files.find((f) => f.path === '.gitlab/atlantis-run-credentials.json')!;

  it('writes a pipeline that GitLab’s CI schema accepts', () => {
    const doc = parse(pipeline.content);
    expect(gitlabCiErrors(doc)).toEqual([]);
    // The schema does reject a broken pipeline.
    expect(gitlabCiErrors({ ...doc, deploy: { ...doc.deploy, id_tokens: { T: { audience: 'x' } } } })).not.toEqual([]);
    expect(gitlabCiErrors({ ...doc, deploy: { ...doc.deploy, when: 'sometimes' } })).not.toEqual([]);
  });

  it('uses id_tokens with the audience, the committed credential file, deploy on the default branch, drift on schedules', () => {
    const doc = parse(pipeline.content);
    expect(doc['.atlantis-run'].id_tokens).toEqual({ GITLAB_OIDC_TOKEN: { aud: 'https://gitlab.com' } });
    expect(doc.variables.GOOGLE_APPLICATION_CREDENTIALS).toBe('$CI_PROJECT_DIR/.gitlab/atlantis-run-credentials.json');
    expect(doc['.atlantis-run'].before_script[0]).toBe('printf \'%s\' "$GITLAB_OIDC_TOKEN" > "$CI_PROJECT_DIR/.gitlab-oidc-token"');
    expect(doc.deploy.rules).toContainEqual({ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' });
    expect(doc.deploy.rules[0]).toEqual({ if: '$CI_PIPELINE_SOURCE == "schedule"', when: 'never' });
    expect(doc.deploy.script.join('\n')).toContain('atlantis-run deploy -y --json --config "$ATLANTIS_RUN_CONFIG"');
    expect(doc.drift.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "schedule"' }]);
    expect(doc.drift.script).toEqual(['atlantis-run plan --detailed-exitcode --config "$ATLANTIS_RUN_CONFIG"']);
    const selfManaged = ciFiles(
      'gitlab',
      { ...defaultCiOptions('atlantis-run.yaml', 'gitlab.acme.com'), workloadIdentityProvider: PROVIDER, serviceAccount: ACCOUNT },
      templates,
    );
    expect(parse(selfManaged[0].content)['.atlantis-run'].id_tokens.GITLAB_OIDC_TOKEN.aud).toBe('https://gitlab.acme.com');
  });

  it('the credential configuration is an external_account file google-auth-library loads, with no secret in it', async () => {
    const config = JSON.parse(credentials.content);
    expect(config).toEqual({
      universe_domain: 'googleapis.com',
      type: 'external_account',
      audience: `//iam.googleapis.com/${PROVIDER}`,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: 'https://sts.googleapis.com/v1/token',
      credential_source: { file: '.gitlab-oidc-token', format: { type: 'text' } },
      service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${ACCOUNT}:generateAccessToken`,
    });
    const dir = tempDir();
    writeFileSync(path.join(dir, 'creds.json'), credentials.content);
    const client = await new GoogleAuth({
      keyFilename: path.join(dir, 'creds.json'),
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    }).getClient();
    expect(client).toBeInstanceOf(IdentityPoolClient);
    expect((client as IdentityPoolClient).getServiceAccountEmail()).toBe(ACCOUNT);
    expect(credentials.content).not.toMatch(/private_key|client_secret|refresh_token/);
  });

  it('the deploy script fails the job when deploy fails, and after_script summarises the result', () => {
    const doc = parse(pipeline.content);
    const failing = fakeCli('{"type":"result","ok":false,"command":"deploy","error":{"message":"quota exceeded"}}', 1);
    const r = runStep(doc.deploy.script.join('\n'), failing, { ATLANTIS_RUN_CONFIG: 'atlantis-run.yaml' });
    expect(r.code).toBe(1);
    const after = runStep(doc.deploy.after_script.join('\n'), failing);
    expect(after.stdout).toContain('Deploy failed: quota exceeded');
  });

  it('needs the provider and the service account for the credential file', () => {
    expect(() => ciFiles('gitlab', options(), templates)).toThrow(/--workload-identity-provider and --service-account/);
    expect(() =>
      ciFiles(
        'gitlab',
        options({
          workloadIdentityProvider: 'projects/my-project/locations/global/workloadIdentityPools/x/providers/y',
          serviceAccount: ACCOUNT,
        }),
        templates,
      ),
    ).toThrow(/NUMBER/);
  });
});

describe('writing', () => {
  it('never replaces an existing file without force, and writes nothing when it refuses', async () => {
    const dir = tempDir();
    const files = ciFiles('github', options(), templates);
    expect((await writeCiFiles(dir, files, false)).map((f) => f.action)).toEqual(['created', 'created']);
    writeFileSync(path.join(dir, files[1].path), 'mine\n');
    rmDeploy(dir, files[0].path);
    const refused = await writeCiFiles(dir, files, false).catch((e: unknown) => e);
    expect(isAtlantisRunError(refused)).toBe(true);
    expect(String((refused as Error).message)).toMatch(/atlantis-run-drift.yml already exists: nothing was written/);
    expect(() => readFileSync(path.join(dir, files[0].path))).toThrow();
    expect(readFileSync(path.join(dir, files[1].path), 'utf8')).toBe('mine\n');
    expect((await writeCiFiles(dir, files, true)).map((f) => f.action)).toEqual(['created', 'replaced']);
    expect(readFileSync(path.join(dir, files[1].path), 'utf8')).toBe(files[1].content);
  });

  it('refuses values that would break the YAML or the shell', () => {
    expect(() => ciFiles('github', options({ install: "x' && curl evil" }), templates)).toThrow(/--install/);
    expect(() => ciFiles('github', options({ driftSchedule: 'daily' }), templates)).toThrow(/--drift-schedule/);
    expect(() => ciFiles('github', options({ nodeVersion: '20' }), templates)).toThrow(/Node.js 22/);
  });
});

function rmDeploy(dir: string, file: string): void {
  execFileSync('rm', ['-f', path.join(dir, file)]);
}
