// `fiberscope run`: runs a program with the node-fibers drop-ins, and profiles it on request.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, runCli as run, scratchDir } from '../helpers/cli';

const { dir } = scratchDir('run');
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const app = fixture('fibers-worker.js');

describe('fiberscope run', () => {
  it('runs a node-fibers program unchanged, passing arguments and the exit code', () => {
    const result = run(['run', app, 'a', 'b']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('done a b\n');
    expect(result.status).toBe(0);
    const failing = run(['run', app, '--fail']);
    expect(failing.status).toBe(1);
    expect(failing.stderr).toContain('failed on purpose');
  });

  for (const suffix of ['.cpuprofile', '.speedscope.json', '.folded', '.html', '.pb.gz']) {
    it(`--profile writes a ${suffix} naming the fiber's functions`, () => {
      const out = path.join(dir, `profile${suffix}`);
      const result = run(['run', '--profile', out, '--interval', '500us', app]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const bytes = readFileSync(out);
      const text =
        suffix === '.pb.gz' ? gunzipSync(bytes).toString('latin1') : bytes.toString('utf8');
      expect(text).toContain('burnInFiber');
      if (suffix === '.speedscope.json') expect(text).toContain('fiber #');
      if (suffix === '.folded') expect(text).toMatch(/^fiber #\d+ "worker";.*burnInFiber/m);
      if (suffix === '.cpuprofile') expect(JSON.parse(text).samples.length).toBeGreaterThan(10);
    });
  }

  it('--profile still writes the profile when the program throws, and keeps its exit code', () => {
    const out = path.join(dir, 'failed.cpuprofile');
    const result = run(['run', '--profile', out, app, '--fail']);
    expect(result.status).toBe(1);
    expect(readFileSync(out, 'utf8')).toContain('burnInFiber');
  });

  it('--profile writes the profile on Ctrl-C', async () => {
    const out = path.join(dir, 'interrupted.folded');
    const forever = fixture('ready-forever.js');
    const child = spawn(process.execPath, [cli, 'run', '--profile', out, forever], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(killer);
    expect(code).toBe(130);
    expect(readFileSync(out, 'utf8')).toMatch(/^main;/m);
  });

  it('warns when an option of fiberscope run follows the script, which gets it', () => {
    const out = path.join(dir, 'late.html');
    const late = run(['run', app, 'a', '--profile', out, 'b']);
    // The script gets the option, as it did, and still runs; no profile is written.
    expect(late.stdout).toBe(`done a --profile ${out} b\n`);
    expect(late.status).toBe(0);
    expect(existsSync(out)).toBe(false);
    expect(late.stderr).toBe(
      `fiberscope: warning: --profile after the script goes to ${app}, not to fiberscope (no profile will be written); fiberscope's options go before the script:\n` +
        `  fiberscope run --profile ${out} ${app} a b\n` +
        '(a -- before the script passes them on to it without this warning)\n',
    );
    const both = run(['run', '--interval', '2ms', app, '--interval=1ms', '--profile', out]);
    expect(both.status).toBe(0);
    expect(both.stderr).toContain(
      `warning: --interval and --profile after the script go to ${app}, not to fiberscope (no profile will be written)`,
    );
    expect(both.stderr).toContain(
      `  fiberscope run --interval 2ms --interval=1ms --profile ${out} ${app}\n`,
    );
    // With -- before the script, or after the script's own --, they are the script's: no warning.
    for (const args of [
      ['run', '--', app, '--profile', out],
      ['run', app, '--', '--profile', out],
    ]) {
      const quiet = run(args);
      expect(quiet.stderr, args.join(' ')).toBe('');
      expect(quiet.stdout).toContain('--profile');
    }
    // A script argument that merely looks alike is not one of them.
    expect(run(['run', app, '--profiles']).stderr).toBe('');
  });

  it('rejects bad input with a usage error and exit code 2', () => {
    for (const args of [
      ['run'],
      ['run', '--profile', path.join(dir, 'x.txt'), app],
      ['run', '--interval', 'fast', app],
      ['run', '--interval', '10us', app],
      ['run', '--bogus', app],
      ['run', '--profile'],
      ['run', '--interval', '500', app],
    ]) {
      const result = run(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^fiberscope: .*\n\nUsage: fiberscope run \[--profile FILE\]/);
    }
    expect(run(['run', '--interval', '500', app]).stderr).toContain(
      'fiberscope: --interval needs a unit (us, ms or s): 500us or 500ms, not "500"',
    );
    expect(run(['run', '--interval', 'fast', app]).stderr).toContain(
      'fiberscope: --interval takes a duration like 1ms or 10s, not "fast"',
    );
    expect(run(['run', '--interval', '2s', app]).stderr).toContain(
      'fiberscope: --interval must be from 50us to 1s',
    );
    const missing = run(['run', path.join(dir, 'missing.js')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('cannot find the script');
  });
});
