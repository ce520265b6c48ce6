// Runs the real CLI (bin/atlantis-run.js → dist/) on a pseudo-terminal and types into it, so tests
// drive interactive prompts exactly as a person would: the CLI sees a TTY on stdin and stderr,
// inquirer switches the terminal to raw mode and draws, and keys arrive as bytes.
//
// The pseudo-terminal comes from python3's standard `pty` module (python3 is on every machine that
// runs these tests, CI included); a small proxy forwards the test's keystrokes to the terminal and
// the terminal's output back, then exits with the CLI's exit code.
import { execFileSync, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BIN, cleanEnv } from './cli.js';

const PROXY = String.raw`
import os, pty, sys, select, struct, fcntl, termios
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 50, 160, 0, 0))
    os.execv(sys.argv[1], sys.argv[1:])
stdin_open = True
while True:
    fds = [fd] + ([0] if stdin_open else [])
    ready, _, _ = select.select(fds, [], [])
    if 0 in ready:
        data = os.read(0, 4096)
        if data:
            os.write(fd, data)
        else:
            stdin_open = False
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if not data:
            break
        os.write(1, data)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, 'waitstatus_to_exitcode') else (status >> 8))
`;

// pyenv-style shims need PATH to find the interpreter; tests often run the CLI with a narrow PATH.
let python: string | undefined;
function pythonExecutable(): string {
  python ??= execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  return python;
}

export const KEY = {
  enter: '\r',
  down: '\u001b[B',
  up: '\u001b[A',
  space: ' ',
  ctrlC: '\u0003',
  /** Clears the line being typed (readline). */
  ctrlU: '\u0015',
} as const;

/** Wait for `expect` (text, after the previous step's match) to appear, then type `send`. */
export interface PtyStep {
  expect: string | RegExp;
  /** Keys to type; an array is typed chunk by chunk with a short pause between. */
  send: string | string[];
}

export interface PtyResult {
  code: number;
  /** Everything the terminal showed, escape sequences removed. */
  screen: string;
}

export function stripAnsi(text: string): string {
  // CSI sequences, OSC sequences, and single-character escapes.
  return text
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\u001b\][^\u0007]*\u0007/g, '')
    .replace(/\u001b[()][0-9A-B]|\u001b[=>78]/g, '');
}

/** Fails early and clearly when dist/ is older than the sources the child process would run. */
export function assertBuilt(sources: string[]): void {
  const root = new URL('../../', import.meta.url);
  for (const source of sources) {
    const src = fileURLToPath(new URL(source, root));
    const built = fileURLToPath(new URL(source.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js'), root));
    let stale = false;
    try {
      stale = statSync(built).mtimeMs < statSync(src).mtimeMs;
    } catch {
      stale = true;
    }
    if (stale) throw new Error(`${built} is missing or older than ${source}: run \`npm run build\` first (npm test does)`);
  }
}

export function runCliPty(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; steps: PtyStep[]; stepTimeoutMs?: number; keyDelayMs?: number },
): Promise<PtyResult> {
  const stepTimeoutMs = options.stepTimeoutMs ?? 15_000;
  const keyDelayMs = options.keyDelayMs ?? 40;
  return new Promise((resolve, reject) => {
    const env = cleanEnv({ TERM: 'xterm-256color', ...options.env });
    delete env.CI;
    const child = spawn(pythonExecutable(), ['-c', PROXY, process.execPath, BIN, ...args], {
      cwd: options.cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let raw = '';
    let consumed = 0; // screen offset after the last matched step
    let stepIndex = 0;
    let typing = false;
    let failed = false;
    let timer: NodeJS.Timeout | undefined;
    const screen = () => stripAnsi(raw);

    const fail = (message: string) => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${message}\n--- terminal so far ---\n${screen().slice(-4000)}`));
    };
    const armTimer = () => {
      clearTimeout(timer);
      if (stepIndex < options.steps.length) {
        const step = options.steps[stepIndex];
        timer = setTimeout(
          () => fail(`step ${stepIndex + 1}: ${String(step.expect)} did not appear within ${stepTimeoutMs} ms`),
          stepTimeoutMs,
        );
      }
    };
    const advance = async () => {
      while (!typing && !failed && stepIndex < options.steps.length) {
        const step = options.steps[stepIndex];
        const text = screen();
        const rest = text.slice(consumed);
        let at = -1;
        let length = 0;
        if (typeof step.expect === 'string') {
          at = rest.indexOf(step.expect);
          length = step.expect.length;
        } else {
          const m = step.expect.exec(rest);
          if (m) {
            at = m.index;
            length = m[0].length;
          }
        }
        if (at < 0) return;
        consumed += at + length;
        typing = true;
        for (const chunk of Array.isArray(step.send) ? step.send : [step.send]) {
          // Let the prompt finish drawing and attach its key handler (or react to the last key).
          await delay(keyDelayMs);
          if (failed) return;
          child.stdin.write(chunk);
        }
        // Done once typed: the CLI may well exit right after the last key.
        typing = false;
        stepIndex += 1;
        armTimer();
      }
    };

    child.stdout.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8');
      void advance();
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (err) => fail(`cannot start python3: ${err.message}`));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failed) return;
      if (stepIndex < options.steps.length) {
        failed = true;
        reject(
          new Error(
            `the CLI exited (${code}) before step ${stepIndex + 1} (${String(options.steps[stepIndex].expect)})\n${stderr}\n--- terminal ---\n${screen().slice(-4000)}`,
          ),
        );
        return;
      }
      resolve({ code: code ?? 1, screen: screen() });
    });
    armTimer();
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
