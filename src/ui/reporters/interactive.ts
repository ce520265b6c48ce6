// On a terminal: one spinner for the phases in flight, and a permanent line for each change.
import chalk from 'chalk';
import type { Ora } from 'ora';
import type { EngineEvent } from '../../engine/events.js';
import type { Reporter } from '../host.js';
import { describeEvent, describeField, elapsed } from './describe.js';

const ACTION_COLOUR = { create: chalk.green, update: chalk.yellow, delete: chalk.red, noop: chalk.dim } as const;

export class InteractiveReporter implements Reporter {
  private spinner: Ora | undefined;
  private spinnerLoading: Promise<void> | undefined;
  private readonly active = new Map<string, string>();
  private paused = false;

  constructor(
    private readonly stdout: NodeJS.WritableStream,
    private readonly stderr: NodeJS.WritableStream & { isTTY?: boolean },
  ) {}

  event(event: EngineEvent & { time: string }): void {
    switch (event.type) {
      case 'phase-start':
        this.active.set(event.phase, event.title);
        this.refresh();
        return;
      case 'operation-progress':
        // A build's progress line (its status, or the builder's STEP line), cut to fit the spinner.
        this.active.set(
          event.phase,
          `${event.operation} ${event.resource} (${elapsed(event.elapsedMs)})${event.message ? ` — ${event.message.slice(0, 80)}` : ''}`,
        );
        this.refresh();
        return;
      case 'phase-end': {
        this.active.delete(event.phase);
        const mark = event.status === 'ok' ? chalk.green('✔') : event.status === 'failed' ? chalk.red('✖') : chalk.dim('-');
        const summary = event.summary ? ` ${chalk.dim(event.summary)}` : '';
        this.persist(`${mark} ${event.phase}${summary} ${chalk.dim(elapsed(event.elapsedMs))}`);
        this.refresh();
        return;
      }
      case 'resource-changed': {
        const colour = ACTION_COLOUR[event.action];
        const lines = [`  ${colour(describeEvent(event) ?? '')}`];
        for (const field of event.fields ?? []) lines.push(`      ${chalk.dim(describeField(field))}`);
        this.persist(lines.join('\n'));
        return;
      }
      case 'warning':
        this.persist(chalk.yellow(describeEvent(event) ?? ''));
        return;
      case 'info':
        this.persist(describeEvent(event) ?? '');
        return;
    }
  }

  private persist(line: string): void {
    const spinning = Boolean(this.spinner?.isSpinning);
    if (spinning) this.spinner!.clear();
    this.stderr.write(`${line}\n`);
    // Redraw only a spinner that is running: render() would draw a stopped one back in.
    if (spinning && !this.paused) this.spinner!.render();
  }

  private refresh(): void {
    if (this.active.size === 0) {
      this.spinner?.stop();
      return;
    }
    const text = [...this.active.entries()].map(([phase, what]) => `${chalk.bold(phase)} ${what}`).join(chalk.dim(' · '));
    if (this.spinner) {
      this.spinner.text = text;
      if (!this.spinner.isSpinning && !this.paused) this.spinner.start();
      return;
    }
    // ora is loaded on first use so that commands which never spin never pay for it.
    this.spinnerLoading ??= import('ora').then(({ default: ora }) => {
      this.spinner = ora({ stream: this.stderr, discardStdin: false });
      this.refresh();
    });
  }

  data(text: string): void {
    if (this.spinner?.isSpinning) this.spinner.clear();
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  result(): void {}
  item(): void {}

  pause(): void {
    this.paused = true;
    this.spinner?.stop();
  }

  resume(): void {
    this.paused = false;
    this.refresh();
  }

  close(): void {
    this.spinner?.stop();
  }
}
