// The IO host (AWS CDK's IoHost idea): the one object through which a command reports progress,
// prints data and asks questions. Whether we are interactive is decided here, once.
import type { EngineEvent } from '../engine/events.js';
import { InterruptedError, UsageError } from '../errors.js';
import type { DebugLog } from '../util/debug-log.js';
import { redact } from '../util/redact.js';
import { InteractiveReporter } from './reporters/interactive.js';
import { JsonReporter } from './reporters/json.js';
import { PlainReporter } from './reporters/plain.js';

export type OutputMode = 'interactive' | 'plain' | 'json';

export interface Reporter {
  event(event: EngineEvent & { time: string }): void;
  /** Human-readable data (render, status…): stdout. */
  data(text: string): void;
  /** The final result: the last line of --json output; ignored by human reporters. */
  result(payload: Record<string, unknown>): void;
  /** One item of a result that streams (`logs --follow`): a line of --json output; ignored by human reporters. */
  item(line: Record<string, unknown>): void;
  /** Pause live output (spinners) while a prompt owns the terminal. */
  pause(): void;
  resume(): void;
  close(): void;
}

export interface Question {
  message: string;
  /** The flag or variable that answers this question without a prompt, named in the error. */
  flag: string;
  /** How to answer at the prompt ("type to jump"): shown only when asking, never in an error. */
  promptHint?: string;
}

/** The text a prompt shows: the question and, when asking, how to answer it. */
function asked(q: Question): string {
  return q.promptHint ? `${q.message} (${q.promptHint})` : q.message;
}

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface HostOptions {
  json: boolean;
  env: NodeJS.ProcessEnv;
  streams: Streams;
  debugLog: DebugLog;
}

export class IoHost {
  readonly mode: OutputMode;
  private promptsAllowed: boolean;
  private readonly reporter: Reporter;
  private readonly debugLog: DebugLog;
  readonly streams: Streams;

  constructor(options: HostOptions) {
    const { env, streams } = options;
    const ci = isCi(env);
    this.streams = streams;
    this.debugLog = options.debugLog;
    // A terminal that reports no width (a pty nobody sized) cannot host a spinner: ora divides by
    // the column count. Such runs get plain lines.
    const sized = ((streams.stderr as { columns?: number }).columns ?? 0) > 0;
    this.mode = options.json ? 'json' : streams.stderr.isTTY && sized && !ci ? 'interactive' : 'plain';
    // stderr first: process.stdin is built when first read (~8 ms, Node's tty and net), and a run
    // whose stderr is not a terminal (CI, a pipe) never needs it.
    this.promptsAllowed = !options.json && !ci && Boolean(streams.stderr.isTTY) && Boolean(streams.stdin.isTTY);
    this.reporter =
      this.mode === 'json'
        ? new JsonReporter(streams.stdout)
        : this.mode === 'interactive'
          ? new InteractiveReporter(streams.stdout, streams.stderr)
          : new PlainReporter(streams.stdout, streams.stderr);
  }

  /** Questions may be asked only with a terminal on both ends, outside CI, without --json. */
  get canPrompt(): boolean {
    return this.promptsAllowed;
  }

  /** A command's own `--non-interactive` flag: from now on, answer from defaults or fail naming the flag. */
  disablePrompts(): void {
    this.promptsAllowed = false;
  }

  emit = (event: EngineEvent): void => {
    const stamped = { ...event, time: new Date().toISOString() };
    this.debugLog.write('event', stamped);
    this.reporter.event(stamped);
  };

  print(text: string): void {
    this.reporter.data(redact(text));
  }

  result(payload: Record<string, unknown>): void {
    this.debugLog.write('result', payload);
    this.reporter.result(payload);
  }

  /** A streamed item (`{type: 'log-entry', entry}`) for --json; human output prints its own text. */
  item(type: 'log-entry', payload: Record<string, unknown>): void {
    this.reporter.item({ type, ...payload, time: new Date().toISOString() });
  }

  /** Fails in non-interactive mode, naming what answers the question instead. */
  requirePrompt(question: Question): void {
    if (!this.canPrompt) {
      throw new UsageError(`${question.message}: no answer given and not running interactively`, { hint: `pass ${question.flag}` });
    }
  }

  async input(question: Question & { default?: string; validate?: (value: string) => true | string }): Promise<string> {
    if (!this.canPrompt && question.default !== undefined) return question.default;
    this.requirePrompt(question);
    const { input } = await import('@inquirer/prompts');
    return this.withPaused(() =>
      input(
        {
          message: asked(question),
          ...(question.default !== undefined ? { default: question.default } : {}),
          ...(question.validate ? { validate: question.validate } : {}),
        },
        this.promptContext(),
      ),
    );
  }

  async password(question: Question & { validate?: (value: string) => true | string }): Promise<string> {
    this.requirePrompt(question);
    const { password } = await import('@inquirer/prompts');
    return this.withPaused(() =>
      password(
        { message: asked(question), mask: true, ...(question.validate ? { validate: question.validate } : {}) },
        this.promptContext(),
      ),
    );
  }

  async confirm(question: Question & { default?: boolean }): Promise<boolean> {
    if (!this.canPrompt && question.default !== undefined) return question.default;
    this.requirePrompt(question);
    const { confirm } = await import('@inquirer/prompts');
    return this.withPaused(() => confirm({ message: asked(question), default: question.default ?? false }, this.promptContext()));
  }

  async select<T extends string>(
    question: Question & { choices: readonly { value: T; name?: string; description?: string }[]; default?: T; pageSize?: number },
  ): Promise<T> {
    if (!this.canPrompt && question.default !== undefined) return question.default;
    this.requirePrompt(question);
    const { select } = await import('@inquirer/prompts');
    return this.withPaused(() =>
      select<T>(
        {
          message: asked(question),
          choices: question.choices.map((c) => ({
            value: c.value,
            name: c.name ?? c.value,
            ...(c.description ? { description: c.description } : {}),
          })),
          ...(question.default !== undefined ? { default: question.default } : {}),
          ...(question.pageSize !== undefined ? { pageSize: question.pageSize } : {}),
        },
        this.promptContext(),
      ),
    );
  }

  /** Several choices at once (space toggles, enter accepts). The default is the list of values checked at first. */
  async checkbox<T extends string>(
    question: Question & { choices: readonly { value: T; name?: string; description?: string }[]; default?: readonly T[] },
  ): Promise<T[]> {
    if (!this.canPrompt && question.default !== undefined) return [...question.default];
    this.requirePrompt(question);
    const { checkbox } = await import('@inquirer/prompts');
    const checked = new Set<T>(question.default ?? []);
    return this.withPaused(() =>
      checkbox<T>(
        {
          message: asked(question),
          choices: question.choices.map((c) => ({
            value: c.value,
            name: c.name ?? c.value,
            // The answer line lists values, not the long names.
            short: c.value,
            checked: checked.has(c.value),
            ...(c.description ? { description: c.description } : {}),
          })),
        },
        this.promptContext(),
      ),
    );
  }

  // Prompts read the host's stdin and draw on stderr: stdout stays for data (ARCHITECTURE.md, "Output").
  private promptContext(): { input: NodeJS.ReadableStream; output: NodeJS.WritableStream } {
    return { input: this.streams.stdin, output: this.streams.stderr };
  }

  private async withPaused<T>(fn: () => Promise<T>): Promise<T> {
    this.reporter.pause();
    try {
      return await fn();
    } catch (err) {
      // Ctrl-C while a prompt owns the terminal (raw mode: no SIGINT reaches the process).
      if (err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError')) {
        throw new InterruptedError('interrupted: the question was not answered; nothing was changed', { cause: err });
      }
      throw err;
    } finally {
      this.reporter.resume();
    }
  }

  close(): void {
    this.reporter.close();
  }
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}
