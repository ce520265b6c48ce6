import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, runCliProcess } from './support/cli.js';
import { MINIMAL_CONFIG, projectDir, tempDir } from './support/fixtures.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const recorder = fileURLToPath(new URL('./support/record-imports.mjs', import.meta.url));

describe('CLI', () => {
  it('--help lists the commands that work, the global flags and the exit codes', async () => {
    const result = await runCli(['--help'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    for (const flag of ['--config', '--lockfile', '--project', '--region', '--json', '--yes', '--verbose', '--emulator']) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).toMatch(/^\s+render\s/m);
    expect(result.stdout).toContain('3 another run holds the lock');
  });

  it('--version prints the package version, from the parser and from the launcher alike', async () => {
    const result = await runCli(['--version'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
    for (const flag of ['--version', '-V']) {
      const launched = await runCliProcess([flag], { cwd: tempDir() });
      expect({ code: launched.code, stdout: launched.stdout, stderr: launched.stderr }).toEqual({
        code: 0,
        stdout: `${pkg.version}\n`,
        stderr: '',
      });
    }
  });

  // Piped, `--help` and `--version` are answered by the launcher from the pages the parser rendered
  // at build time; `help render` goes through the parser.
  for (const [args, parser] of [
    [['--help'], false],
    [['--version'], false],
    [['render', '--help'], false],
    [['help', 'render'], true],
  ] as const) {
    it(`${args.join(' ')} loads no gRPC, Google client, schema or YAML library`, async () => {
      const dir = tempDir();
      const record = path.join(dir, 'imports.txt');
      const result = await runCliProcess([...args], {
        cwd: dir,
        env: { RECORD_IMPORTS_FILE: record, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${recorder}` },
      });
      expect(result.code).toBe(0);
      const loaded = readFileSync(record, 'utf8');
      // The parser is the bundled front (parser + command table + commander in one file).
      if (parser) expect(loaded).toContain('dist/cli/main.bundle.js');
      else expect(loaded).not.toContain('main.bundle.js');
      // The commands' runtime (every client library is bundled in it) is never compiled for help.
      expect(loaded).not.toContain('runtime.cjs');
      for (const heavy of [
        '@grpc',
        '@google-cloud',
        'google-gax',
        'google-auth-library',
        'zod',
        '/yaml/',
        'protobufjs',
        'ora',
        '@inquirer',
      ]) {
        expect(loaded, heavy).not.toContain(heavy);
      }
    });
  }

  it('help answered without the parser is the parser’s, page for page, and `help X` prints the same', async () => {
    const { pages } = JSON.parse(readFileSync(new URL('../dist/cli/help.json', import.meta.url), 'utf8')) as {
      pages: Record<string, string>;
    };
    const names = Object.keys(pages);
    expect(names).toEqual(expect.arrayContaining(['', 'deploy', 'secrets', 'secrets push', 'ci setup', 'emulator']));
    const dir = tempDir();
    for (const name of names) {
      const words = name ? name.split(' ') : [];
      const parsed = await runCli([...words, '--help'], { cwd: dir });
      expect(parsed.code).toBe(0);
      expect(pages[name], name).toBe(parsed.stdout);
      const launched = await runCliProcess([...words, name === 'deploy' ? '-h' : '--help'], { cwd: dir });
      expect({ code: launched.code, stdout: launched.stdout, stderr: launched.stderr }, name).toEqual({
        code: 0,
        stdout: pages[name],
        stderr: '',
      });
    }
    const viaParser = await runCliProcess(['help', 'secrets', 'push'], { cwd: dir });
    expect(viaParser.stdout).toBe(pages['secrets push']);
    // Not a page's words: the parser answers, as it always did.
    const withFlag = await runCliProcess(['deploy', '--json', '--help'], { cwd: dir });
    expect(withFlag.stdout).toBe(pages.deploy);
    const unknown = await runCliProcess(['nosuch', '--help'], { cwd: dir });
    expect({ code: unknown.code, stdout: unknown.stdout }).toEqual({ code: 0, stdout: pages[''] });
  });

  it('the recorder sees the runtime when a command needs it (so the check above can fail)', async () => {
    const dir = projectDir();
    const record = path.join(dir, 'imports.txt');
    const result = await runCliProcess(['render', '--json'], {
      cwd: dir,
      env: { RECORD_IMPORTS_FILE: record, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${recorder}` },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(record, 'utf8')).toMatch(/^vm:.*dist\/bundle\/runtime\.cjs$/m);
  });

  it('an unknown command or flag is a usage error (exit 2) with a suggestion', async () => {
    const dir = tempDir();
    const unknownCommand = await runCli(['rendr'], { cwd: dir });
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain("unknown command 'rendr'");
    expect(unknownCommand.stderr).toContain('render');
    const unknownFlag = await runCli(['render', '--jsn'], { cwd: dir });
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("unknown option '--jsn'");
  });

  it('no command prints help and exits 2', async () => {
    const result = await runCli([], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr + result.stdout).toContain('Usage: atlantis-run');
  });

  it('writes a debug log of the run under .atlantis-run/logs', async () => {
    const dir = projectDir();
    const result = await runCli(['render'], { cwd: dir });
    expect(result.code).toBe(0);
    const logs = path.join(dir, '.atlantis-run', 'logs');
    expect(existsSync(logs)).toBe(true);
    const [file] = (await import('node:fs')).readdirSync(logs);
    const entries = readFileSync(path.join(logs, file), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { entry: string; exitCode?: number });
    expect(entries[0].entry).toBe('start');
    expect(entries.at(-1)).toMatchObject({ entry: 'end', exitCode: 0 });
  });

  it('--json failures: stdout holds only the result object with the error; the message goes to stderr', async () => {
    const dir = projectDir(MINIMAL_CONFIG.replace('region: europe-west1', 'region: mars-north1'));
    const result = await runCli(['render', '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      type: 'result',
      ok: false,
      error: { exitCode: 2, message: expect.stringContaining('region') },
    });
    expect(result.stderr).toContain('Error: region: "mars-north1" is not a Cloud Run region');
  });

  it('prints a stack trace only with --verbose', async () => {
    const dir = projectDir(MINIMAL_CONFIG.replace('region: europe-west1', 'region: mars-north1'));
    const quiet = await runCli(['render'], { cwd: dir });
    const verbose = await runCli(['render', '--verbose'], { cwd: dir });
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('global flags work after the command too', async () => {
    const dir = projectDir(MINIMAL_CONFIG.replace('project: my-project\n', ''));
    const result = await runCli(['render', '--project', 'flag-project', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).project).toBe('flag-project');
  });
});
