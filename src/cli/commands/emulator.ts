// `atlantis-run emulator`: the bundled local Google Cloud emulator in the foreground. The first
// line on stdout is the `export` that points every atlantis-run (and any Google client set up the
// same way) at it; it serves until SIGINT/SIGTERM and then exits 0.
import { UsageError } from '../../errors.js';
import type { Handler } from '../command.js';
import type { emulatorOptions } from '../command-table.js';
import { wholeNumber } from '../options.js';

export const handler: Handler<typeof emulatorOptions> = async (ctx, input) => {
  const o = input.options;
  const { startEmulator, validateEmulatorOptions, EMULATOR_HOST_ENV, EmulatorStateError } = await import('../../emulator/index.js');
  const latencyMs = wholeNumber(o.latency, '--latency');
  const operationDelayMs = wholeNumber(o.operationDelay, '--operation-delay');
  const iamPropagationDelayMs = wholeNumber(o.iamPropagationDelay, '--iam-propagation-delay');
  const seed = wholeNumber(o.seed, '--seed');
  const options = {
    port: wholeNumber(o.port, '--port') ?? 0,
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(operationDelayMs !== undefined ? { operationDelayMs } : {}),
    ...(iamPropagationDelayMs !== undefined ? { iamPropagationDelayMs } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(o.faults !== undefined ? { faults: o.faults } : {}),
    ...(o.deny
      ? {
          deny: o.deny
            .flatMap((d) => d.split(','))
            .map((d) => d.trim())
            .filter(Boolean),
        }
      : {}),
    ...(o.requestLog !== undefined ? { requestLogFile: o.requestLog } : {}),
    ...(o.state !== undefined ? { stateFile: o.state } : {}),
  };
  try {
    validateEmulatorOptions(options);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const emulator = await startEmulator(options).catch((err: unknown) => {
    throw err instanceof EmulatorStateError ? new UsageError(err.message, { hint: err.hint }) : err;
  });
  // stdout: only the lines a shell can eval.
  ctx.host.streams.stdout.write(`export ${EMULATOR_HOST_ENV}=${emulator.host}\n`);
  ctx.host.emit({
    type: 'info',
    message: `emulator listening on ${emulator.host} (gRPC and REST)${options.stateFile ? `, state in ${options.stateFile}` : ''}; Ctrl-C to stop`,
  });
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await emulator.close();
  ctx.host.emit({ type: 'info', message: 'emulator stopped' });
  return 0;
};
