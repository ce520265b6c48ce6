// Runs the real CLI, in-process (fast, for most tests) or as a child process (exit codes, signals,
// the launcher itself). Both return what a user would see.
import { PassThrough } from 'node:stream';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  /** Called synchronously with each complete stdout line (e.g. --json events as they happen). */
  onStdoutLine?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Pretend stdin/stderr are terminals (interactive mode). */
  tty?: boolean;
  stdin?: string;
}

function collector(isTTY: boolean): PassThrough & { isTTY?: boolean; text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; text: () => string; columns?: number };
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.isTTY = isTTY;
  stream.columns = 120;
  stream.text = () => Buffer.concat(chunks).toString('utf8');
  // What a real terminal stream offers and spinners use.
  Object.assign(stream, {
    cursorTo: (_x: number, cb?: () => void) => (cb?.(), true),
    moveCursor: (_x: number, _y: number, cb?: () => void) => (cb?.(), true),
    clearLine: (_dir: number, cb?: () => void) => (cb?.(), true),
  });
  return stream;
}

/** Environment for a CLI run: nothing from the developer's machine leaks in. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_OPTIONS: process.env.NODE_OPTIONS,
    METADATA_SERVER_DETECTION: 'none',
    NO_COLOR: '1',
    ATLANTIS_RUN_RETRY_BASE_MS: '5',
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export async function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  const stdout = collector(false);
  if (options.onStdoutLine) {
    // Intercept writes synchronously, before the engine goes on: tests use it to act "between" phases.
    const onLine = options.onStdoutLine;
    let partial = '';
    const write = stdout.write.bind(stdout);
    stdout.write = ((chunk: string | Buffer, ...rest: unknown[]) => {
      partial += chunk.toString();
      let newline: number;
      while ((newline = partial.indexOf('\n')) >= 0) {
        onLine(partial.slice(0, newline));
        partial = partial.slice(newline + 1);
      }
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stdout.write;
  }
  const stderr = collector(Boolean(options.tty));
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = Boolean(options.tty);
  if (options.stdin !== undefined) stdin.end(options.stdin);
  const code = await main(args, { stdout, stderr, stdin, env: cleanEnv(options.env), cwd: options.cwd });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

export const BIN = fileURLToPath(new URL('../../bin/atlantis-run.js', import.meta.url));

export function runCliProcess(
  args: string[],
  options: CliOptions & { timeoutMs?: number; onSpawn?: (child: ChildProcess) => void; nodeArgs?: string[] },
): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
      cwd: options.cwd,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, signal });
    });
  });
}
