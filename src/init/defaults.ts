// Where the wizard's project and region defaults come from: the environment first, then the active
// gcloud configuration when gcloud is installed. gcloud is optional: absent, failing, slow or
// printing nonsense, it simply gives no default (the reason goes to the debug log).
import { overridesFromEnv } from '../config/load.js';
import type { DebugLog } from '../util/debug-log.js';

export interface Suggested {
  value: string;
  /** Where it came from, for the summary: "CLOUDSDK_CORE_PROJECT", "gcloud config"… */
  source: string;
}

export interface InitDefaults {
  project?: Suggested;
  region?: Suggested;
}

/** gcloud is a Python program: 0.5–2 s cold. Past this, init goes on without its defaults. */
export const GCLOUD_TIMEOUT_MS = 4000;

export async function findDefaults(
  env: NodeJS.ProcessEnv,
  log: DebugLog,
  needed: { project: boolean; region: boolean },
  signal?: AbortSignal,
): Promise<InitDefaults> {
  const defaults: InitDefaults = {};
  const fromEnv = overridesFromEnv(env);
  if (fromEnv.project)
    defaults.project = { value: fromEnv.project, source: env.ATLANTIS_RUN_PROJECT ? 'ATLANTIS_RUN_PROJECT' : 'CLOUDSDK_CORE_PROJECT' };
  if (fromEnv.region)
    defaults.region = { value: fromEnv.region, source: env.ATLANTIS_RUN_REGION ? 'ATLANTIS_RUN_REGION' : 'CLOUDSDK_RUN_REGION' };
  const wantProject = needed.project && !defaults.project;
  const wantRegion = needed.region && !defaults.region;
  if (!wantProject && !wantRegion) return defaults;

  const gcloud = await gcloudConfig(env, log, signal);
  if (wantProject && gcloud.project) defaults.project = { value: gcloud.project, source: 'gcloud config' };
  if (wantRegion && gcloud.region) defaults.region = { value: gcloud.region, source: 'gcloud config' };
  return defaults;
}

/** `core/project` and `run/region` of the active gcloud configuration, in one call. */
export async function gcloudConfig(
  env: NodeJS.ProcessEnv,
  log: DebugLog,
  signal?: AbortSignal,
): Promise<{ project?: string; region?: string }> {
  const timeoutMs = Number(env.ATLANTIS_RUN_GCLOUD_TIMEOUT_MS) > 0 ? Number(env.ATLANTIS_RUN_GCLOUD_TIMEOUT_MS) : GCLOUD_TIMEOUT_MS;
  const started = Date.now();
  try {
    const { execa } = await import('execa');
    // detached: gcloud is a shell script starting Python; on timeout the whole process group is
    // killed, or a grandchild holding the pipe would keep us waiting.
    const child = execa('gcloud', ['config', 'list', '--format=json'], {
      env,
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      detached: true,
    });
    const stop = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(stop, timeoutMs);
    // Ctrl-C does not reach a detached process group: stop it ourselves.
    signal?.addEventListener('abort', stop, { once: true });
    const result = await child;
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
    const elapsedMs = Date.now() - started;
    if (result.failed) {
      const reason =
        (result as { code?: string }).code === 'ENOENT'
          ? 'not installed'
          : result.isTerminated
            ? `no answer within ${timeoutMs} ms`
            : `exit ${result.exitCode}`;
      log.write('gcloud-defaults', { ok: false, reason, elapsedMs, stderr: String(result.stderr ?? '').slice(0, 500) });
      return {};
    }
    const parsed = JSON.parse(String(result.stdout)) as { core?: { project?: unknown }; run?: { region?: unknown } };
    const out: { project?: string; region?: string } = {};
    if (typeof parsed.core?.project === 'string' && parsed.core.project) out.project = parsed.core.project;
    if (typeof parsed.run?.region === 'string' && parsed.run.region) out.region = parsed.run.region;
    log.write('gcloud-defaults', { ok: true, elapsedMs, ...out });
    return out;
  } catch (err) {
    log.write('gcloud-defaults', { ok: false, reason: (err as Error).message, elapsedMs: Date.now() - started });
    return {};
  }
}
