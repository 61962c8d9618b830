// Where no binary of the addon can load (macOS, Windows, musl, an unsupported Node.js), as on a
// machine that installed the package with neither a prebuilt binary nor a compiler: here, a copy
// of the built package with no build/ and no prebuilds/. What needs no fibers works; the fiber
// runtime throws one error that says why.
import { type ChildProcess, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runNodeAsync } from '../helpers/child';
import { scratchDir } from '../helpers/cli';
import { startInspected } from '../helpers/inspector';

const scratch = scratchDir('no-binary');
const installed = path.join(scratch.dir, 'node_modules', 'fiberscope');
mkdirSync(installed, { recursive: true });
cpSync(path.join(repoRoot, 'dist'), path.join(installed, 'dist'), { recursive: true });
cpSync(path.join(repoRoot, 'package.json'), path.join(installed, 'package.json'));
for (const name of readdirSync(path.join(repoRoot, 'node_modules'))) {
  if (name === '.bin') continue;
  symlinkSync(
    path.join(repoRoot, 'node_modules', name),
    path.join(scratch.dir, 'node_modules', name),
  );
}
const cli = path.join(installed, 'dist', 'cli', 'main.js');

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function node(args: string[]) {
  return spawnSync(process.execPath, args, {
    cwd: scratch.dir,
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
  });
}

// The fixtures run from the scratch folder, laid out as in test/, where `fiberscope` is the copy
// without a binary.
cpSync(path.join(repoRoot, 'test', 'fixtures'), path.join(scratch.dir, 'fixtures'), {
  recursive: true,
});
cpSync(
  path.join(repoRoot, 'test', 'install', 'fixtures'),
  path.join(scratch.dir, 'install', 'fixtures'),
  {
    recursive: true,
  },
);

/** Runs fixtures/`name` against the copy without a binary. */
function script(name: string) {
  const result = node([path.join(scratch.dir, 'install', 'fixtures', name)]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

describe('without a binary that loads', () => {
  it('the fiber runtime throws one error: where, what is supported, what works', () => {
    const out = script('runtime-errors.js');
    const errors = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(errors.map((error) => error.id)).toEqual([
      'fiberscope',
      'fiberscope/fibers',
      'fiberscope/future',
      'fiberscope/repl',
    ]);
    const libc = (process.report.getReport() as { header: { glibcVersionRuntime: string } }).header
      .glibcVersionRuntime;
    for (const error of errors) {
      expect(error.code).toBe('ERR_FIBER_RUNTIME_UNAVAILABLE');
      const lines = error.message.split('\n');
      expect(lines[0]).toBe(
        `fiberscope: the fiber runtime is not available on Linux ${process.arch} (glibc ${libc}), ` +
          `Node.js ${process.version} (ABI ${process.versions.modules}): no binary of the addon ` +
          'loads here (none fits, or none was built at install).',
      );
      expect(lines[1]).toContain(
        'Supported: Linux x64 and arm64 with glibc, Node.js 20, 22, 24 and 26',
      );
      expect(lines[1]).toContain('`npm rebuild fiberscope --build-from-source`');
      expect(lines[2]).toContain('fiberscope/stitch, fiberscope/pino');
      expect(lines[3]).toMatch(
        /^The loader said: No native build was found for platform=linux .* loaded from: \//,
      );
    }
  });

  it('names the platform, the libc and the Node.js version where they are the reason', () => {
    const { unavailableMessage } = createRequire(import.meta.url)(
      path.join(installed, 'dist', 'fiber', 'load-addon.js'),
    );
    const supported = { platforms: ['linux-x64', 'linux-arm64'], libc: 'glibc', node: [20, 22] };
    const mac = { platform: 'darwin', arch: 'arm64', libc: '', nodeVersion: 'v22.1.0', abi: '127' };
    expect(unavailableMessage(mac, supported, 'x').split('\n')[0]).toBe(
      'fiberscope: the fiber runtime is not available on macOS arm64, Node.js v22.1.0 (ABI 127): ' +
        'fibers need Linux (the addon switches threads with Linux system calls).',
    );
    const musl = {
      platform: 'linux',
      arch: 'x64',
      libc: 'musl',
      nodeVersion: 'v20.1.0',
      abi: '115',
    };
    expect(unavailableMessage(musl, supported, 'x').split('\n')[0]).toContain(
      'Linux x64 (musl), Node.js v20.1.0 (ABI 115): no binary of the addon loads here',
    );
    const old = {
      platform: 'linux',
      arch: 'x64',
      libc: 'glibc 2.36',
      nodeVersion: 'v18.2.0',
      abi: '108',
    };
    expect(unavailableMessage(old, supported, 'x').split('\n')[0]).toContain(
      'Node.js v18.2.0 (ABI 108): Node.js 18 is not supported.',
    );
  });

  it('fiberscope/stitch and fiberscope/pino work on plain errors', () => {
    const out = script('stitch-and-pino.js');
    expect(out).toBe('outer TypeError true\nError: outer\nError outer: inner false\n');
  });

  it('the profile importers and exporters work; startProfiling() throws the error', () => {
    const out = script('profile-formats.js');
    expect(out).toBe('true true true true true true\nERR_FIBER_RUNTIME_UNAVAILABLE\n');
  });

  it('fiberscope stitch and flame work', () => {
    const log = scratch.file(
      'app.log',
      `${JSON.stringify({ level: 50, msg: 'failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at handler (/app/a.js:1:2)' } })}\n`,
    );
    const stitched = node([cli, 'stitch', '--no-color', log]);
    expect(stitched.stderr).toBe('');
    expect(stitched.stdout).toContain('Error: boom\n    at handler (/app/a.js:1:2)');
    expect(stitched.status).toBe(0);

    const speedscope = scratch.file(
      'in.speedscope.json',
      JSON.stringify({
        $schema: 'https://www.speedscope.app/file-format-schema.json',
        shared: { frames: [{ name: 'work', file: '/app/a.js', line: 1, col: 1 }] },
        profiles: [
          {
            type: 'sampled',
            name: 'main',
            unit: 'milliseconds',
            startValue: 0,
            endValue: 2,
            samples: [[0], [0]],
            weights: [1, 1],
          },
        ],
      }),
    );
    const out = path.join(scratch.dir, 'out.html');
    const flame = node([cli, 'flame', speedscope, '-o', out]);
    expect(flame.stderr).toBe('');
    expect(flame.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('work');
  });

  it('the fiber REPL says why it cannot start, once', () => {
    const result = node([cli, 'repl']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^fiberscope: the fiber runtime is not available on Linux /);
  });

  it('profile --attach and repl --attach reach a Linux target that runs fibers', async () => {
    const target = await startInspected(new URL('./fixtures/linux-target.js', import.meta.url));
    children.push(target.child);
    const folded = path.join(scratch.dir, 'attach.folded');
    const profiled = await run([
      'profile',
      '--attach',
      `127.0.0.1:${target.port}`,
      '--duration',
      '1s',
      '-o',
      folded,
    ]);
    expect(profiled.status).toBe(0);
    expect(readFileSync(folded, 'utf8')).toContain('GET /busy');

    const attached = await run(
      ['repl', '--attach', `127.0.0.1:${target.port}`],
      '6 * 7\n.fibers\n',
    );
    expect(attached.status).toBe(0);
    expect(attached.stdout).toMatch(/> 42$/m);
    expect(attached.stdout).toContain('"GET /orders" waiting');
  });
});

/** The copy's CLI with `args`, `input` piped in (then its stdin ended). */
function run(args: string[], input = '') {
  return runNodeAsync([cli, ...args], {
    cwd: scratch.dir,
    input,
    timeoutMs: 20_000,
    started: (child) => children.push(child),
  });
}
