// Shared by the bench files: runs one command in a child process and measures it (wall time, CPU
// time user + system, peak resident memory through GNU time), and turns samples into
// median / min / max. Runs are interleaved with bare `node -e 0` so machine noise hits both alike.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const TIME = '/usr/bin/time';

/** Whether GNU time is there to report CPU time and peak memory (it is on Debian/Ubuntu: package `time`). */
export const haveGnuTime = existsSync(TIME);

/**
 * Runs `node [nodeArgs] args…` once; resolves with wall ms, CPU ms (user + system) and peak RSS MiB
 * (CPU and RSS undefined without GNU time). Rejects when the command exits other than `okStatus`.
 */
export function measureOnce(args, { cwd, env, nodeArgs = [], okStatus = [0] } = {}) {
  return new Promise((resolve, reject) => {
    const node = [process.execPath, ...nodeArgs, ...args];
    const [cmd, argv] = haveGnuTime ? [TIME, ['-f', 'BENCH %U %S %M', ...node]] : [node[0], node.slice(1)];
    const started = process.hrtime.bigint();
    const child = spawn(cmd, argv, {
      cwd,
      env: env ?? { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'ignore', process.env.BENCH_STDERR ? 'inherit' : 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const line = stderr.trim().split('\n').at(-1) ?? '';
      const m = /^BENCH ([\d.]+) ([\d.]+) (\d+)$/.exec(line);
      // GNU time exits with the command's status; our own line is the last one on stderr.
      if (!okStatus.includes(status ?? -1)) {
        reject(new Error(`node ${args.join(' ')} exited ${status}:\n${stderr}`));
        return;
      }
      resolve({
        wallMs,
        cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined,
        rssMiB: m ? Number(m[3]) / 1024 : undefined,
      });
    });
  });
}

/** median / min / max of numbers (undefined ones dropped). */
export function stats(xs) {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const mid = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s.at(-1), n: s.length };
}

/** "0.84 s (0.80–0.91)" style, with the unit's own formatting. */
export function fmt(st, unit) {
  if (!st) return 'n/a';
  const f = {
    s: (ms) => `${(ms / 1000).toFixed(2)}`,
    ms: (ms) => ms.toFixed(0),
    MiB: (m) => m.toFixed(0),
    '×': (r) => r.toFixed(2),
    '': (x) => String(Math.round(x * 100) / 100),
  }[unit];
  return `${f(st.median)} (${f(st.min)}–${f(st.max)})${unit && unit !== '×' ? ` ${unit}` : unit}`;
}

/** met / MISSED for a figure against a bound (the median decides). */
export const mark = (value, bound) => (value === undefined ? 'n/a' : value <= bound ? 'met' : 'MISSED');
