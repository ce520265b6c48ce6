// Runs the real `gcloud` against an emulator: a throwaway config directory, an access token that
// gcloud sends as a bearer token, no metadata-server probing, no update checks or usage reports,
// and `api_endpoint_overrides/<api>` pointing each API at the emulator. Reusable for every API:
//
//   const gcloud = await gcloudFor(emulator, ['serviceusage', 'secretmanager']);
//   const result = await gcloud.run(['secrets', 'describe', 's', '--project', 'p', '--format=json']);
//   await gcloud.cleanup();
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LooseJson } from './clients.js';

export interface GcloudResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, when it is JSON (use `--format=json`). */
  json?: LooseJson;
}

export interface Gcloud {
  /** The environment every invocation gets (also handy for running gcloud by hand while debugging). */
  env: NodeJS.ProcessEnv;
  configDir: string;
  run(args: string[], options?: { timeoutMs?: number }): Promise<GcloudResult>;
  cleanup(): Promise<void>;
}

let available: boolean | undefined;

/**
 * The path an override must carry for APIs whose gcloud client has it in its base URL: gcloud's
 * Storage client (apitools storage_v1) resolves `b/{bucket}` against `https://storage.googleapis.com/storage/v1/`,
 * and builds upload and download URLs from the host part itself.
 */
const ENDPOINT_PATHS: Readonly<Record<string, string>> = { storage: 'storage/v1/' };

/** Whether a `gcloud` binary is on PATH (tests that need it are skipped otherwise). */
export function gcloudAvailable(): boolean {
  if (available === undefined) {
    try {
      execFileSync('gcloud', ['--version'], {
        stdio: 'ignore',
        timeout: 30_000,
        env: { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' },
      });
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

function runGcloud(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<GcloudResult> {
  return new Promise((resolve) => {
    execFile('gcloud', args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      let json: LooseJson | undefined;
      try {
        json = stdout.trim() ? (JSON.parse(stdout) as LooseJson) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

/**
 * A gcloud set up for the emulator at `host` (`127.0.0.1:PORT`), with endpoint overrides for the
 * given APIs (gcloud's API names: `serviceusage`, `cloudresourcemanager`, `iam`, `secretmanager`,
 * `artifactregistry`, `storage`, …). The overrides are written with `gcloud config set` into the throwaway
 * configuration, exactly as a user would do it.
 *
 * `viaProxy`: the emulator is gcloud's HTTP proxy instead and the overrides name Google's hosts
 * over plain http (`http://run.googleapis.com/`). Needed where gcloud derives a regional host from
 * the endpoint (`gcloud run`: `REGION-` + the endpoint's host, which cannot be an IP address).
 */
export async function gcloudFor(
  emulator: { host: string },
  apis: string[],
  options: { token?: string; viaProxy?: boolean } = {},
): Promise<Gcloud> {
  const token = options.token ?? 'emulator-token';
  const configDir = mkdtempSync(path.join(tmpdir(), 'gcloud-emulator-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: configDir,
    LANG: 'C.UTF-8',
    CLOUDSDK_CONFIG: configDir,
    CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false',
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
    CLOUDSDK_CORE_DISABLE_FILE_LOGGING: 'true',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
    CLOUDSDK_SURVEY_DISABLE_PROMPTS: '1',
    CLOUDSDK_AUTH_ACCESS_TOKEN: token,
  };
  const settings: Array<[string, string]> = apis.map((api) => [
    `api_endpoint_overrides/${api}`,
    `http://${options.viaProxy ? `${api}.googleapis.com` : emulator.host}/${ENDPOINT_PATHS[api] ?? ''}`,
  ]);
  if (options.viaProxy) {
    const [address, port] = emulator.host.split(':') as [string, string];
    settings.push(['proxy/type', 'http'], ['proxy/address', address], ['proxy/port', port]);
  }
  for (const [property, value] of settings) {
    const result = await runGcloud(['config', 'set', property, value], env, 60_000);
    if (result.code !== 0) throw new Error(`gcloud config set ${property} failed: ${result.stderr}`);
  }
  return {
    env,
    configDir,
    run: (args, options = {}) => runGcloud(args, env, options.timeoutMs ?? 60_000),
    cleanup() {
      rmSync(configDir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}
