// --json: stdout carries only JSON — one event per line, the result object last. Nothing else is
// written to stdout in this mode, so `| jq` always works.
import type { EngineEvent } from '../../engine/events.js';
import { redact } from '../../util/redact.js';
import type { Reporter } from '../host.js';

export class JsonReporter implements Reporter {
  constructor(private readonly stdout: NodeJS.WritableStream) {}

  private line(value: Record<string, unknown>): void {
    this.stdout.write(`${redact(JSON.stringify(value))}\n`);
  }

  event(event: EngineEvent & { time: string }): void {
    this.line(event);
  }

  data(): void {
    // Human text has no place in JSON output: the result object carries the data.
  }

  result(payload: Record<string, unknown>): void {
    this.line({ type: 'result', ...payload });
  }

  item(line: Record<string, unknown>): void {
    this.line(line);
  }

  pause(): void {}
  resume(): void {}
  close(): void {}
}
