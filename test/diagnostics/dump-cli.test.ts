// `fiberscope dump`: the fibers of a running process, through its inspector (--attach, --pid),
// idle or with a fiber hogging the thread, and what it says to bad input.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FiberDump } from '../../src/diagnostics/model';
import { runNodeAsync } from '../helpers/child';
import { cli, scratchDir } from '../helpers/cli';
import {
  assertDumpSchema,
  compiledOrders,
  expectServerGroups,
  serverJs,
  sites,
  startFixture,
  startServer,
} from './server';

const scratch = scratchDir('dump-cli');
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const orders = compiledOrders(scratch.dir);

/** Runs `fiberscope dump ...args` without blocking this process (the targets run here too). */
const dump = (args: string[]) => runNodeAsync([cli, 'dump', ...args]);

describe('fiberscope dump', () => {
  it('--attach --json: the dump of an idle server, schema-valid, TypeScript lines mapped', async () => {
    const server = await startServer(orders.ordersJs, ['serve'], { inspect: true });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const result = await dump(['--attach', `127.0.0.1:${server.port}`, '--json']);
      expect(result.stderr).toBe(`fiberscope: dumping the fibers of 127.0.0.1:${server.port}\n`);
      expect(result.status).toBe(0);
      const parsed = JSON.parse(result.stdout) as FiberDump;
      assertDumpSchema(parsed);
      expect(parsed.pid).toBe(server.child.pid);
      expect(parsed).toMatchObject({ busy: null, probed: true, main: { state: 'idle' } });
      expectServerGroups(parsed, orders.ordersTs);
    } finally {
      server.kill();
    }
  });

  it('says which fiber holds the thread, and where, without waiting for it', async () => {
    const server = await startServer(orders.ordersJs, ['hog'], { inspect: true });
    try {
      await server.printed('hogging');
      const result = await dump(['--attach', `127.0.0.1:${server.port}`]);
      expect(result.status).toBe(0);
      // Not waited for: the hog (6 s of spinning) is still running, with its stack, in the dump.
      expect(result.stderr).toMatch(
        /^fiberscope: fiber #281 was running JavaScript without yielding during the dump/m,
      );
      expect(result.stdout).toContain(
        'Fiber #281 is running JavaScript without yielding: every other fiber and the event loop wait for it. It is running:',
      );
      expect(result.stdout).toContain(`    at spin (${serverJs}:${sites.hog}:`);
      expect(result.stdout).toMatch(/^Main thread: running fiber #281$/m);
      expect(result.stdout).toMatch(/^200 fibers waiting .*\(where: not recorded\)$/m);
      expect(result.stdout).toMatch(
        new RegExp(`^1 fiber running at spin \\(server\\.js:${sites.hog}\\)`, 'm'),
      );
    } finally {
      server.kill();
    }
  });

  it('--pid opens the inspector of a running process; -o writes the dump there', async () => {
    const server = await startServer(orders.ordersJs, ['serve']);
    try {
      const out = path.join(scratch.dir, 'pid-dump.txt');
      const result = await dump(['--pid', String(server.child.pid), '-o', out]);
      expect(result.stderr).toBe(
        `fiberscope: dumping the fibers of pid ${server.child.pid}\nfiberscope: wrote ${out}\n`,
      );
      expect(result.status).toBe(0);
      const text = readFileSync(out, 'utf8');
      expect(text).toMatch(/^Fiber dump of pid \d+ at .*: 280 live fibers in 3 groups$/m);
      expect(text).toMatch(/^Main thread: idle \(the event loop waits for events\)$/m);
      expect(text).toContain(`200 fibers waiting`);
      expect(text).toContain(
        `at query (orders.ts:${sites.query}) <- loadOrder (orders.ts:${sites.loadOrder})`,
      );
    } finally {
      server.kill();
    }
  });

  it('bounds the wait for a target blocked outside JavaScript', async () => {
    const { child, port, printed } = await startFixture(fixture('blocked.js'), [], {
      inspect: true,
    });
    try {
      await printed('blocking');
      const result = await dump(['--attach', `127.0.0.1:${port}`, '--timeout', '1s']);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        'fiberscope: the target did not answer within 1.0s: its main thread is blocked outside JavaScript',
      );
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('bad input: a process without fiberscope, a closed port, no such pid, bad options', async () => {
    const { child, port } = await startFixture(fixture('plain.js'), [], { inspect: true });
    try {
      const plain = await dump(['--attach', `127.0.0.1:${port}`]);
      expect(plain.status).toBe(1);
      expect(plain.stderr).toContain(
        `fiberscope: 127.0.0.1:${port} has no fiberscope runtime (or one without fiberscope/diagnostics): no fibers to dump\n`,
      );
    } finally {
      child.kill('SIGKILL');
    }
    const closed = await dump(['--attach', '127.0.0.1:1']);
    expect(closed.status).toBe(1);
    expect(closed.stderr).toMatch(/^fiberscope: cannot reach an inspector at 127\.0\.0\.1:1: /);
    const noPid = await dump(['--pid', '999999999']);
    expect(noPid.status).toBe(1);
    expect(noPid.stderr).toBe('fiberscope: no process has pid 999999999\n');
    const neither = await dump([]);
    expect(neither.status).toBe(2);
    expect(neither.stderr).toMatch(
      /^fiberscope: dump needs exactly one of --attach HOST:PORT and --pid PID\n\nUsage: fiberscope dump /,
    );
    const unitless = await dump(['--attach', '127.0.0.1:9', '--timeout', '5']);
    expect(unitless.status).toBe(2);
    expect(unitless.stderr).toContain('--timeout needs a unit (us, ms or s)');
  });
});
