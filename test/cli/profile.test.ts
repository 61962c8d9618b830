// `fiberscope profile`: profiles a running process through its inspector.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/child';
import { cli } from '../helpers/cli';
import { startInspected } from '../helpers/inspector';

const dir = mkdtempSync(path.join(tmpdir(), 'fiberscope-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const withFibers = new URL('./fixtures/busy-fibers.js', import.meta.url);
const plain = new URL('./fixtures/spin-plain.js', import.meta.url);

/** Starts a target; resolves with it and its inspector port once it listens (when asked). */
async function target(
  fixture: URL,
  inspect: boolean,
  args: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  if (inspect) return startInspected(fixture, { flags: ['--allow-natives-syntax'], args });
  const child = spawn(process.execPath, ['--allow-natives-syntax', fileURLToPath(fixture)], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { child, port: 0 };
}

function profile(args: string[]) {
  return new Promise<{ status: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, 'profile', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    // 'close': stderr may still be on its way when the process has exited.
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

describe('fiberscope profile', () => {
  it('--attach samples the fibers of a target that runs fiberscope', async () => {
    const { child, port } = await target(withFibers, true);
    try {
      const out = path.join(dir, 'attach.folded');
      const result = await profile([
        '--attach',
        `127.0.0.1:${port}`,
        '--duration',
        '1s',
        '-o',
        out,
      ]);
      expect(result.stderr).toContain(`wrote ${out}`);
      expect(result.status).toBe(0);
      expect(readFileSync(out, 'utf8')).toMatch(/^fiber #\d+ "GET \/busy";.*busyWork/m);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it("falls back to V8's profiler for the main thread of a target without fiberscope, and says so", async () => {
    const { child, port } = await target(plain, true);
    try {
      const out = path.join(dir, 'plain.cpuprofile');
      const result = await profile([
        '--attach',
        `127.0.0.1:${port}`,
        '--duration',
        '500ms',
        '-o',
        out,
      ]);
      expect(result.stderr).toContain('the target has no fiberscope runtime');
      expect(result.status).toBe(0);
      expect(readFileSync(out, 'utf8')).toContain('spinPlain');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('--pid opens the inspector of a running Node.js process on loopback', async () => {
    const { child } = await target(plain, false);
    try {
      const out = path.join(dir, 'pid.folded');
      const result = await profile(['--pid', String(child.pid), '--duration', '1s', '-o', out]);
      expect(result.status).toBe(0);
      expect(readFileSync(out, 'utf8')).toContain('spinPlain');
    } finally {
      child.kill('SIGKILL');
    }
  });

  type Ending = 'killed' | 'exiting';
  const endings: Ending[] = ['killed', 'exiting'];
  // The target goes away after the first chunk (pulled after 1 s, or after V8's first 2 s cycle)
  // and long before the requested 20 s: killed, or exiting on its own, when a Node.js process
  // does not close the inspector connection but destroys its context and waits for the debugger.
  // It counts from when fiberscope first looks for its runtime (a getter), not from its start,
  // which a loaded machine could delay past the first chunk.
  async function goneMidCapture(
    fixture: URL,
    afterMs: number,
    how: Ending,
    out: string,
    duration = '20s',
  ) {
    const { child, port } = await target(fixture, true, [how, String(afterMs)]);
    try {
      return await profile(['--attach', `127.0.0.1:${port}`, '--duration', duration, '-o', out]);
    } finally {
      child.kill('SIGKILL');
    }
  }

  it.each(endings)(
    'a fiberscope target %s mid-capture: exit code 1, and the partial profile is written',
    async (how) => {
      const out = path.join(dir, `gone-${how}.speedscope.json`);
      const result = await goneMidCapture(withFibers, 2500, how, out);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `the target went away during the capture: wrote ${out}, a partial profile of the first \\d+\\.\\ds of the requested 20\\.0s`,
        ),
      );
      const file = JSON.parse(readFileSync(out, 'utf8'));
      const names = file.profiles.map((p: { name: string }) => p.name);
      expect(names).toContain('main');
      expect(names.some((name: string) => /^fiber #\d+ "GET \/busy"$/.test(name))).toBe(true);
    },
  );

  it.each(endings)(
    'a target without fiberscope %s mid-capture: the V8 cycles done so far are written',
    async (how) => {
      const out = path.join(dir, `gone-plain-${how}.cpuprofile`);
      const result = await goneMidCapture(plain, 3500, how, out);
      expect(result.stderr).toContain('the target has no fiberscope runtime');
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`the target went away during the capture: wrote ${out}`);
      const cpuprofile = JSON.parse(readFileSync(out, 'utf8'));
      const names = cpuprofile.nodes.map(
        (n: { callFrame: { functionName: string } }) => n.callFrame.functionName,
      );
      expect(names).toContain('spinPlain');
      expect(cpuprofile.samples.length).toBeGreaterThan(0);
    },
  );

  // V8's profiler goes on answering for a target that has ended: the last cycle is not taken for
  // a whole profile.
  it('a target without fiberscope that exits in the last cycle: exit code 1', async () => {
    const out = path.join(dir, 'gone-last.cpuprofile');
    const result = await goneMidCapture(plain, 1500, 'exiting', out, '2s');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`the target went away during the capture: wrote ${out}`);
  });

  // SIGUSR1's default action ends a process: a mistyped pid must not get it.
  it.runIf(process.platform === 'linux')(
    '--pid refuses a process that is not Node.js, or does not handle SIGUSR1, and sends it nothing',
    async () => {
      const sleepBinary = realpathSync(
        spawnSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).stdout.trim(),
      );
      const copy = path.join(dir, 'node');
      copyFileSync(sleepBinary, copy);
      chmodSync(copy, 0o755);
      const targets = {
        // A program that is not Node.js.
        sleep: spawn('sleep', ['30']),
        // One that handles SIGUSR1 (it would print), but is not Node.js either.
        trap: spawn('bash', ['-c', 'trap "echo got USR1" USR1; while :; do sleep 0.1; done'], {
          stdio: ['ignore', 'pipe', 'ignore'],
        }),
        // Named node, but SIGUSR1 would end it (as it would a Node.js with --disable-sigusr1).
        named: spawn(copy, ['30']),
      };
      let trapOutput = '';
      targets.trap.stdout?.on('data', (chunk) => {
        trapOutput += chunk;
      });
      try {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const out = path.join(dir, 'never.folded');
        const results = Object.fromEntries(
          await Promise.all(
            Object.entries(targets).map(async ([name, child]) => [
              name,
              await profile(['--pid', String(child.pid), '--duration', '1s', '-o', out]),
            ]),
          ),
        );
        const notNode = (child: ChildProcess, binary: string) =>
          `fiberscope: pid ${child.pid} is ${binary}, not Node.js: SIGUSR1, which could end it, was not sent (a Node.js program under another name: kill -USR1 ${child.pid} yourself, then --attach 127.0.0.1:9229)\n`;
        expect(results.sleep.stderr).toBe(notNode(targets.sleep, sleepBinary));
        expect(results.trap.stderr).toMatch(/^fiberscope: pid \d+ is \/\S*bash, not Node\.js: /);
        expect(results.named.stderr).toBe(
          `fiberscope: pid ${targets.named.pid} (${copy}) does not handle SIGUSR1 (a Node.js started with --disable-sigusr1?): it was not sent, as it would end the process\n`,
        );
        for (const [name, child] of Object.entries(targets)) {
          expect(results[name].status, name).toBe(1);
          expect(child.exitCode, name).toBe(null);
          expect(child.signalCode, name).toBe(null);
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(trapOutput).toBe('');
        expect(existsSync(out)).toBe(false);
      } finally {
        for (const child of Object.values(targets)) child.kill('SIGKILL');
      }
    },
  );

  it('--pid elsewhere: the binary as ps names it, and no SIGUSR1 on Windows', async () => {
    const { assertNodeProcess } = createRequire(import.meta.url)(
      path.join(repoRoot, 'dist', 'inspector', 'node-process.js'),
    );
    const sleeper = spawn('sleep', ['30']);
    const node = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    // What `ps -o comm=` names by the binary, as it does on macOS and the BSDs. On Linux it gives
    // the main thread's name, which Node 24 and later set to MainThread: a copy of sleep named
    // node stands for Node there.
    const sleepBinary = realpathSync(
      spawnSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).stdout.trim(),
    );
    const named = path.join(dir, 'node');
    copyFileSync(sleepBinary, named);
    chmodSync(named, 0o755);
    const namedNode = spawn(named, ['30']);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(() => assertNodeProcess(sleeper.pid, 'darwin')).toThrow(
        /^pid \d+ is \S*sleep, not Node\.js: SIGUSR1, which could end it, was not sent/,
      );
      expect(() => assertNodeProcess(namedNode.pid, 'darwin')).not.toThrow();
      expect(() => assertNodeProcess(node.pid, 'linux')).not.toThrow();
      expect(() => assertNodeProcess(999999999, 'darwin')).toThrow('no process has pid 999999999');
      expect(() => assertNodeProcess(node.pid, 'win32')).toThrow(
        '--pid needs SIGUSR1, which Windows does not have: start the target with --inspect and use --attach',
      );
    } finally {
      sleeper.kill('SIGKILL');
      node.kill('SIGKILL');
      namedNode.kill('SIGKILL');
    }
  });

  it('bad input: closed port, a pid of no process, missing options', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, [cli, 'profile', ...args], { encoding: 'utf8', timeout: 30_000 });
    const closed = run([
      '--attach',
      '127.0.0.1:9',
      '--duration',
      '1s',
      '-o',
      path.join(dir, 'x.folded'),
    ]);
    expect(closed.status).toBe(1);
    expect(closed.stderr).toContain('cannot reach an inspector at 127.0.0.1:9');
    const ipv6 = run(['--attach', '[::1]:9', '-o', path.join(dir, 'x.folded')]);
    expect(ipv6.status).toBe(1);
    expect(ipv6.stderr).toContain('cannot reach an inspector at ::1:9');
    // An output that cannot be written is found before a capture, not after it.
    const unwritable = path.join(dir, 'missing-folder', 'x.folded');
    const noFolder = run(['--attach', '127.0.0.1:9', '-o', unwritable]);
    expect(noFolder.status).toBe(1);
    expect(noFolder.stderr).toContain(`fiberscope: cannot write ${unwritable}: ENOENT`);
    expect(run(['--pid', '999999999', '-o', path.join(dir, 'x.folded')]).stderr).toContain(
      'no process has pid',
    );
    for (const args of [
      ['-o', path.join(dir, 'x.folded')],
      ['--attach', '127.0.0.1:9'],
      ['--attach', '127.0.0.1:9', '-o', path.join(dir, 'x.txt')],
      ['--attach', 'nohost', '-o', path.join(dir, 'x.folded')],
      ['--attach', '[::1', '-o', path.join(dir, 'x.folded')],
      ['--attach', '127.0.0.1:70000', '-o', path.join(dir, 'x.folded')],
      ['--attach', '127.0.0.1:0', '-o', path.join(dir, 'x.folded')],
      ['--attach', '::1:9229', '-o', path.join(dir, 'x.folded')],
      ['--attach', '127.0.0.1:9', '--duration', 'long', '-o', path.join(dir, 'x.folded')],
      ['--attach', '127.0.0.1:9', '--duration', '10', '-o', path.join(dir, 'x.folded')],
      ['--pid', '12a', '-o', path.join(dir, 'x.folded')],
    ]) {
      const result = run(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^fiberscope: .*\n\nUsage: fiberscope profile \(--attach/);
    }
  });
});
