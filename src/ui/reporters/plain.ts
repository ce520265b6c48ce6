// Plain timestamped lines on stderr: for CI logs and pipes (no cursor movement, nothing redrawn).
import type { EngineEvent } from '../../engine/events.js';
import type { Reporter } from '../host.js';
import { describeEvent, describeField } from './describe.js';

export class PlainReporter implements Reporter {
  constructor(
    private readonly stdout: NodeJS.WritableStream,
    private readonly stderr: NodeJS.WritableStream,
  ) {}

  event(event: EngineEvent & { time: string }): void {
    const text = describeEvent(event);
    if (text === undefined) return;
    const stamp = event.time.slice(11, 19);
    const phase = 'phase' in event && event.phase ? `[${event.phase}] ` : '';
    const lines = [`${stamp} ${phase}${text}`];
    if (event.type === 'resource-changed' && event.fields) {
      for (const field of event.fields) lines.push(`${stamp} ${phase}    ${describeField(field)}`);
    }
    this.stderr.write(`${lines.join('\n')}\n`);
  }

  data(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  result(): void {}
  item(): void {}

  pause(): void {}
  resume(): void {}
  close(): void {}
}
