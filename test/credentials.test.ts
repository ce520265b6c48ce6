// First contact with a real project: what the tool says when Google credentials are missing,
// unreadable, refused or unreachable, or when a permission is missing — a classified message with its
// fix, never "probably a bug", and no Node warning on the way. The CLI runs as a child process on a
// machine made offline (test/support/offline.mjs: DNS fails, other hosts unreachable) with an empty
// HOME, so no developer's credentials and no real Google endpoint are ever reached.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PREDEFINED_ROLES } from '../src/emulator/core/predefined-roles.js';
import { DEPLOYER_ROLES, permissionHint, rolesGranting } from '../src/gcp/roles.js';
import { PHASES } from '../src/phases/index.js';
import { requirementsOf } from '../src/engine/phase.js';
import { parseConfig } from '../src/config/load.js';
import { runCli, runCliProcess, type CliResult } from './support/cli.js';
import { emulator, emulatorEnv } from './support/emulator.js';
import { MINIMAL_CONFIG, projectDir, tempDir } from './support/fixtures.js';

const OFFLINE = fileURLToPath(new URL('./support/offline.mjs', import.meta.url));

/** An offline machine with no credentials of its own, Google's libraries free to probe the metadata server. */
function offlineEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const home = tempDir('home-');
  return {
    HOME: home,
    METADATA_SERVER_DETECTION: 'ping-only',
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${OFFLINE}`,
    GITHUB_TOKEN: 'ghp_credentials00000000000000000000000000',
    ...extra,
  };
}

/** Nothing a user should not see: no bug verdict, no Node warning, no internal method prefix. */
function expectClassified(r: CliResult, what: string): void {
  expect(r.code, `${what}: ${r.stderr}`).toBe(1);
  expect(r.stderr, what).not.toContain('probably a bug');
  expect(r.stderr, what).not.toContain('failed unexpectedly');
  expect(r.stderr, what).not.toMatch(/Warning|\(node:\d+\)|--trace-warnings/);
}

const COMMANDS: [string, string[]][] = [
  ['plan', ['plan']],
  ['status', ['status']],
  ['deploy', ['deploy', '-y']],
  [
    "init's secret push",
    [
      'init',
      '--config',
      'new.yaml',
      '--non-interactive',
      '--project',
      'my-project',
      '--region',
      'europe-west1',
      '--vcs',
      'github',
      '--vcs-user',
      'bot',
      '--repo-allowlist',
      'github.com/acme/*',
      '--push-secrets',
    ],
  ],
];

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A stand-in for Google's Security Token Service refusing the exchange, as OAuth 2.0 errors read (RFC 6749 §5.2). */
async function refusingTokenService(): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_grant', error_description: 'The token has been revoked.' }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/token`;
}

describe('credentials', () => {
  for (const [what, args] of COMMANDS) {
    it(`${what}: no Application Default Credentials → how to get them, and no MetadataLookupWarning`, async () => {
      const dir = projectDir();
      const r = await runCliProcess(args, { cwd: dir, env: offlineEnv() });
      expectClassified(r, what);
      expect(r.stderr).toContain('no Google credentials: Application Default Credentials are not set up on this machine');
      expect(r.stderr).toContain('gcloud auth application-default login');
      expect(r.stderr).toContain('GOOGLE_APPLICATION_CREDENTIALS');
    });
  }

  it('a credentials file that does not exist is named, with what to do', async () => {
    const dir = projectDir();
    const missing = path.join(dir, 'nowhere', 'key.json');
    for (const [what, args] of COMMANDS) {
      const r = await runCliProcess(args, { cwd: dir, env: offlineEnv({ GOOGLE_APPLICATION_CREDENTIALS: missing }) });
      expectClassified(r, what);
      expect(r.stderr).toContain(`the credentials file ${missing} named by GOOGLE_APPLICATION_CREDENTIALS does not exist`);
    }
  });

  it('no network: Google cannot be reached for a token (a service account key)', async () => {
    const dir = projectDir();
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const key = path.join(dir, 'key.json');
    // The fields of a downloaded key file; the key itself is made here and worth nothing.
    writeFileSync(
      key,
      JSON.stringify({
        type: 'service_account',
        project_id: 'my-project',
        private_key_id: '0123456789abcdef',
        private_key: privateKey,
        client_email: 'deployer@my-project.iam.gserviceaccount.com',
        client_id: '100000000000000000002',
        token_uri: 'https://oauth2.googleapis.com/token',
      }),
    );
    for (const [what, args] of COMMANDS) {
      const r = await runCliProcess(args, { cwd: dir, env: offlineEnv({ GOOGLE_APPLICATION_CREDENTIALS: key }) });
      expectClassified(r, what);
      expect(r.stderr).toContain('could not reach oauth2.googleapis.com to get an access token (EAI_AGAIN)');
      expect(r.stderr).toContain('check the connection');
    }
  });

  it('credentials Google refuses (revoked, or a CI identity it does not accept) say so', async () => {
    const dir = projectDir();
    const subject = path.join(dir, 'oidc-token');
    writeFileSync(subject, 'eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl');
    const configFile = path.join(dir, 'credentials.json');
    // A workload identity credential configuration (what `gcloud iam workload-identity-pools create-cred-config` writes).
    writeFileSync(
      configFile,
      JSON.stringify({
        type: 'external_account',
        audience: '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/ci/providers/github',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: await refusingTokenService(),
        service_account_impersonation_url:
          'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/deployer@my-project.iam.gserviceaccount.com:generateAccessToken',
        credential_source: { file: subject },
      }),
    );
    const r = await runCliProcess(['plan'], { cwd: dir, env: offlineEnv({ GOOGLE_APPLICATION_CREDENTIALS: configFile }) });
    expectClassified(r, 'plan');
    expect(r.stderr).toContain(
      'Google refused the credentials when asked for an access token: invalid_grant (The token has been revoked.)',
    );
    expect(r.stderr).toContain('sign in again');
  });
});

describe('a missing permission', () => {
  it('names the caller, only the roles that grant what is missing, and the ready gcloud command', async () => {
    const emu = await emulator({ deny: ['run.services.create', 'iam.serviceAccounts.actAs'] });
    const dir = projectDir();
    const r = await runCli(['deploy', '-y'], { cwd: dir, env: emulatorEnv(emu, 'grpc') });
    expect(r.code).toBe(1);
    // Every problem at once, each with its hint: the project permission, and acting as the runtime
    // account (asked of that account, as Cloud Run checks it).
    expect(r.stderr).toContain('Error: 2 problems stop this run before any change:');
    expect(r.stderr).toContain('  - the caller (user@example.com) lacks 1 permission on project my-project: run.services.create');
    expect(r.stderr).toContain('    hint: grant roles/run.admin (run.services.create) to user:user@example.com:');
    expect(r.stderr).toContain('gcloud projects add-iam-policy-binding my-project --member=user:user@example.com --role=roles/run.admin');
    expect(r.stderr).toContain(
      '  - the caller (user@example.com) may not act as atlantis-runtime@my-project.iam.gserviceaccount.com (iam.serviceAccounts.actAs on that account)',
    );
    expect(r.stderr).toContain(
      'gcloud iam service-accounts add-iam-policy-binding atlantis-runtime@my-project.iam.gserviceaccount.com --project=my-project --member=user:user@example.com --role=roles/iam.serviceAccountUser',
    );
    for (const other of ['roles/owner', 'roles/secretmanager.admin', 'roles/artifactregistry.admin', 'roles/serviceusage']) {
      expect(r.stderr).not.toContain(other);
    }
    // plan says the same, as a warning.
    const plan = await runCli(['plan'], { cwd: dir, env: emulatorEnv(emu, 'rest') });
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain(
      'deploy would fail: the caller (user@example.com) lacks 1 permission on project my-project: run.services.create',
    );
    expect(plan.stderr).toContain('deploy would fail: the caller (user@example.com) may not act as atlantis-runtime@');
  });

  it('a service account is granted as serviceAccount:, and one role covers what it can', () => {
    const hint = permissionHint('p1', ['secretmanager.secrets.create', 'secretmanager.versions.add'], 'ci@p1.iam.gserviceaccount.com');
    expect(hint.split('\n')).toEqual([
      'grant roles/secretmanager.admin (secretmanager.secrets.create, secretmanager.versions.add) to serviceAccount:ci@p1.iam.gserviceaccount.com:',
      '    gcloud projects add-iam-policy-binding p1 --member=serviceAccount:ci@p1.iam.gserviceaccount.com --role=roles/secretmanager.admin',
    ]);
    expect(rolesGranting(['resourcemanager.projects.get']).roles.map((r) => r.role)).toEqual(['roles/run.admin']);
    expect(rolesGranting(['compute.networks.create']).unknown).toEqual(['compute.networks.create']);
  });

  it("the role table is Google's: each role grants exactly what roles.get says, and every permission a deploy needs is covered", async () => {
    for (const { role, grants } of DEPLOYER_ROLES) {
      const google = PREDEFINED_ROLES.find((r) => r.name === role);
      expect(google, role).toBeDefined();
      for (const permission of grants) expect(google!.includedPermissions, `${role} ${permission}`).toContain(permission);
    }
    const configs = [
      MINIMAL_CONFIG,
      `${MINIMAL_CONFIG}serviceAccount: {roles: [roles/viewer]}\ndomain: atlantis.example.com\n`,
      `${MINIMAL_CONFIG}image: {strategy: reference, reference: "europe-west1-docker.pkg.dev/my-project/images/atlantis:v1"}\n`,
    ];
    for (const text of configs) {
      const config = await parseConfig(text, '/tmp/x/atlantis-run.yaml', {}, {});
      const needed = requirementsOf(PHASES, config).permissions;
      expect(rolesGranting(needed).unknown).toEqual([]);
      // Within the table, a role is listed for a permission exactly when Google's role includes it.
      for (const permission of needed) {
        for (const { role, grants } of DEPLOYER_ROLES) {
          const included = PREDEFINED_ROLES.find((r) => r.name === role)!.includedPermissions.includes(permission);
          expect(grants.includes(permission), `${role} ${permission}`).toBe(included);
        }
      }
    }
  });
});

describe('image.strategy: reference with Artifact Registry disabled', () => {
  const config = `${MINIMAL_CONFIG}image: {strategy: reference, reference: "europe-west1-docker.pkg.dev/my-project/images/atlantis:v1"}\n`;

  it('plan reports the disabled API (deploy enables it), not a missing role; no internal prefixes reach the user', async () => {
    const emu = await emulator();
    const dir = projectDir(config);
    const env = emulatorEnv(emu, 'grpc');
    const plan = await runCli(['plan'], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toContain(
      'artifactregistry.googleapis.com is disabled: europe-west1-docker.pkg.dev/my-project/images/atlantis:v1 is resolved to a digest once deploy has enabled it',
    );
    expect(plan.stderr).not.toMatch(/roles\/artifactregistry|lacks a permission/);
    // Enabled, the real verdict: the repository does not exist — said without the client's method name.
    const deploy = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toContain('Error: image europe-west1-docker.pkg.dev/my-project/images/atlantis:v1 not found');
    expect(deploy.stderr + plan.stderr).not.toMatch(/registry\.\w+ failed|resolveDigest/);
  });

  it('a real missing permission on the image: no hint sending plan to plan', async () => {
    const emu = await emulator({ deny: ['artifactregistry.repositories.downloadArtifacts'] });
    emu.setServiceEnabled('my-project', 'artifactregistry.googleapis.com');
    const dir = projectDir(config);
    const plan = await runCli(['plan'], { cwd: dir, env: emulatorEnv(emu, 'grpc') });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/^Error: image europe-west1-docker\.pkg\.dev\/my-project\/images\/atlantis:v1: /m);
    expect(plan.stderr).not.toContain('`atlantis-run plan`');
    expect(plan.stderr).not.toMatch(/registry\.\w+ failed/);
  });
});

describe('no Node warning reaches the user', () => {
  it('warnings Node would print go to the debug log instead', async () => {
    const dir = projectDir();
    mkdirSync(path.join(dir, 'sub'));
    // Without credentials, offline: google-auth-library's metadata probe warns (see the first test).
    const r = await runCliProcess(['plan'], { cwd: dir, env: offlineEnv() });
    expect(r.stderr).not.toContain('MetadataLookupWarning');
    const { readdirSync, readFileSync } = await import('node:fs');
    const logs = path.join(dir, '.atlantis-run', 'logs');
    const log = readFileSync(path.join(logs, readdirSync(logs)[0]), 'utf8');
    expect(log).toContain('"entry":"node-warning","name":"MetadataLookupWarning"');
  });
});
