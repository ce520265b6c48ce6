// Every kind of resource deploy manages, deleted out of band, is recreated by the next deploy —
// and only it; plus the optional domain mapping (its DNS records, and the error for a domain the
// caller has not verified).
import { describe, expect, it } from 'vitest';
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { ServicesClient } from '@google-cloud/run';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { runCli } from './support/cli.js';
import { emulator, emulatorEnv, mutatingCalls, since } from './support/emulator.js';
import { MINIMAL_CONFIG, projectDir } from './support/fixtures.js';
import { clientOptions, restCall } from './emulator/clients.js';

const SERVICE = 'projects/my-project/locations/europe-west1/services/atlantis';
const SA = 'atlantis-runtime@my-project.iam.gserviceaccount.com';

type Deletion = {
  kind: string;
  remove: (emu: Awaited<ReturnType<typeof emulator>>) => Promise<void>;
  /** Mutating methods the repairing deploy may make (besides recreating the resource). */
  expected: RegExp;
  /** Methods it must make. */
  required: string[];
};

const deletions: Deletion[] = [
  {
    kind: 'Cloud Run service',
    remove: async (emu) => {
      const run = new ServicesClient(clientOptions(emu, 'grpc'));
      const [op] = await run.deleteService({ name: SERVICE });
      await op.promise();
      await run.close();
    },
    expected: /^(CreateService)$/,
    required: ['CreateService'],
  },
  {
    kind: 'Artifact Registry repository',
    remove: async (emu) => {
      const ar = new ArtifactRegistryClient(clientOptions(emu, 'grpc'));
      const [op] = await ar.deleteRepository({ name: 'projects/my-project/locations/europe-west1/repositories/atlantis-ghcr' });
      await op.promise();
      await ar.close();
    },
    expected: /^(CreateRepository)$/,
    required: ['CreateRepository'],
  },
  {
    kind: 'runtime service account',
    remove: async (emu) => {
      await restCall(emu, 'DELETE', `/v1/projects/my-project/serviceAccounts/${SA}`);
    },
    // A new account with the same email is a new principal (Google rewrites the old bindings to
    // deleted:serviceAccount:…?uid=…): its secret bindings are granted again.
    expected: /^(CreateServiceAccount|SetIamPolicy|UpdateService)$/,
    required: ['CreateServiceAccount', 'SetIamPolicy'],
  },
  {
    kind: 'secret (with its versions)',
    remove: async (emu) => {
      const sm = new SecretManagerServiceClient(clientOptions(emu, 'grpc'));
      await sm.deleteSecret({ name: 'projects/my-project/secrets/atlantis-vcs-token' });
      await sm.close();
    },
    expected: /^(CreateSecret|AddSecretVersion|SetIamPolicy|UpdateService)$/,
    // The new secret's first version is number 1 again: the service's pin stays right as it is.
    required: ['CreateSecret', 'AddSecretVersion', 'SetIamPolicy'],
  },
];

describe('out-of-band deletion is repaired', () => {
  for (const d of deletions) {
    it(d.kind, async () => {
      const emu = await emulator();
      const dir = projectDir();
      const env = emulatorEnv(emu, 'grpc');
      expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
      await d.remove(emu);
      const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env });
      expect(plan.code, plan.stderr).toBe(4);
      const calls = since(emu);
      const repair = await runCli(['deploy', '-y'], { cwd: dir, env });
      expect(repair.code, repair.stderr).toBe(0);
      const methods = mutatingCalls(calls()).map((c) => c.method.split('/').pop()!);
      expect(methods.length).toBeGreaterThan(0);
      for (const m of methods) expect(m, `${d.kind}: ${methods.join(', ')}`).toMatch(d.expected);
      for (const m of d.required) expect(methods, d.kind).toContain(m);
      // And then it is stable again.
      const again = since(emu);
      expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
      expect(mutatingCalls(again())).toEqual([]);
    });
  }
});

describe('domain mapping', () => {
  it('maps a verified domain and prints the DNS records to create', async () => {
    const emu = await emulator();
    const dir = projectDir(`${MINIMAL_CONFIG}domain: atlantis.example.com\n`);
    const env = emulatorEnv(emu, 'grpc');
    const result = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('DNS records to create for atlantis.example.com');
    expect(result.stderr).toContain('CNAME  ghs.googlehosted.com.');
    // The public URL Atlantis links to is the custom domain.
    expect(result.stdout).toContain('Webhook URL:    https://atlantis.example.com/events');
    const mapping = await restCall(
      emu,
      'GET',
      '/hosts/europe-west1-run.googleapis.com/apis/domains.cloudrun.com/v1/namespaces/my-project/domainmappings/atlantis.example.com',
    );
    expect(mapping.status).toBe(200);
    expect((mapping.body as { spec: { routeName: string } }).spec.routeName).toBe('atlantis');
    const again = since(emu);
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    expect(mutatingCalls(again())).toEqual([]);
  });

  it('explains what to do for a domain the caller has not verified', async () => {
    const emu = await emulator();
    const dir = projectDir(`${MINIMAL_CONFIG}domain: atlantis.not-verified.dev\n`);
    const result = await runCli(['deploy', '-y'], { cwd: dir, env: emulatorEnv(emu, 'grpc') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot map atlantis.not-verified.dev');
    expect(result.stderr).toContain('gcloud domains verify not-verified.dev');
  });
});
