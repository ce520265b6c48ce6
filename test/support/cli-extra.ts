// Runs the CLI in-process with extra command definitions beside the registered ones — for commands
// whose handlers exist but are not in src/cli/registry.ts yet (src/cli/registry-webhook-ci.ts). The
// same parser (buildProgram), run path (runCommand) and IO as `main`.
import { PassThrough } from 'node:stream';
import * as commander from 'commander';
import { buildProgram, type CliIo } from '../../src/cli/main.js';
import { commands } from '../../src/cli/registry.js';
import { runCommand } from '../../src/cli/run.js';
import type { CommandDefinition } from '../../src/cli/command.js';
import { cleanEnv, type CliResult } from './cli.js';

export async function runCliWith(
  extra: CommandDefinition[],
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const stdin = new PassThrough();
  stdin.end();
  const io: CliIo = { stdout, stderr, stdin, env: cleanEnv(options.env), cwd: options.cwd };
  let pending: Promise<number> | undefined;
  const program = buildProgram(commander, io, [...commands, ...extra], (definition, input, globals) => {
    pending = runCommand(definition, input, globals, io);
  });
  let code = 0;
  try {
    await program.parseAsync(args, { from: 'user' });
    code = pending ? await pending : 0;
  } catch (e) {
    if (e instanceof commander.CommanderError) code = e.exitCode === 0 ? 0 : 2;
    else throw e;
  }
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
