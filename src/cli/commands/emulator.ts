// `atlantis-run emulator`: the bundled local Google Cloud emulator in the foreground. The first
// line on stdout is the `export` that points every atlantis-run (and any Google client set up the
// same way) at it; it serves until SIGINT/SIGTERM and then exits 0.
import { UsageError } from '../../errors.js';
import type { CommandHandler } from '../command.js';

function intOption(options: Record<string, unknown>, name: string, flag: string): number | undefined {
  const raw = options[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag}: expected a whole number ≥ 0, got "${String(raw)}"`);
  return n;
}

export const handler: CommandHandler = async (ctx, input) => {
  const o = input.options;
  const { startEmulator, validateEmulatorOptions, EMULATOR_HOST_ENV } = await import('../../emulator/index.js');
  const options = {
    port: intOption(o, 'port', '--port') ?? 0,
    ...(o.latency !== undefined ? { latencyMs: intOption(o, 'latency', '--latency')! } : {}),
    ...(o.operationDelay !== undefined ? { operationDelayMs: intOption(o, 'operationDelay', '--operation-delay')! } : {}),
    ...(o.iamPropagationDelay !== undefined
      ? { iamPropagationDelayMs: intOption(o, 'iamPropagationDelay', '--iam-propagation-delay')! }
      : {}),
    ...(o.seed !== undefined ? { seed: intOption(o, 'seed', '--seed')! } : {}),
    ...(typeof o.faults === 'string' ? { faults: o.faults } : {}),
    ...(Array.isArray(o.deny)
      ? {
          deny: (o.deny as string[])
            .flatMap((d) => d.split(','))
            .map((d) => d.trim())
            .filter(Boolean),
        }
      : {}),
    ...(typeof o.requestLog === 'string' ? { requestLogFile: o.requestLog } : {}),
    ...(typeof o.state === 'string' ? { stateFile: o.state } : {}),
  };
  try {
    validateEmulatorOptions(options);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const emulator = await startEmulator(options);
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
