// fiberscope/diagnostics in process: dumpFibers(), formatFiberDump() and installDumpSignal(),
// against a real server with 280 fibers parked at three wait sites.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FiberDump } from '../../src/diagnostics/model';
import { runFixture } from '../helpers/child';
import { scratchDir } from '../helpers/cli';
import {
  assertDumpSchema,
  compiledOrders,
  expectServerGroups,
  serverJs,
  sites,
  startServer,
} from './server';

const scratch = scratchDir('diagnostics');
const orders = compiledOrders(scratch.dir);

describe('dumpFibers()', () => {
  it('lists every parked fiber, grouped by identical traces, with TypeScript lines mapped', () => {
    const child = runFixture(serverJs, { args: [orders.ordersJs, 'print'] });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const [, json, ...text] = child.stdout.split('\n');
    const dump = JSON.parse(json) as FiberDump;
    assertDumpSchema(dump);
    expect(Number.isNaN(Date.parse(dump.time))).toBe(false);
    expect(dump).toMatchObject({ version: 1, busy: null, probed: true });
    expect(dump.main.state).toBe('running');
    expect(dump.main.frames[0]).toMatchObject({ file: serverJs });
    expectServerGroups(dump, orders.ordersTs);

    const printed = text.join('\n');
    expect(printed).toMatch(/^Fiber dump of pid \d+ at .*: 280 live fibers in 3 groups$/m);
    expect(printed).toMatch(
      new RegExp(
        `^200 fibers waiting \\d+ms \\(median, longest \\d+ms\\) at query \\(orders\\.ts:${sites.query}\\) <- loadOrder \\(orders\\.ts:${sites.loadOrder}\\)`,
        'm',
      ),
    );
    expect(printed).toMatch(
      new RegExp(`^60 fibers waiting .* at sleepForever \\(server\\.js:${sites.users}\\)$`, 'm'),
    );
    expect(printed).toMatch(
      new RegExp(`^20 fibers suspended .* at cronJob \\(server\\.js:${sites.cron}\\)$`, 'm'),
    );
    expect(printed).toContain(`    at query (${orders.ordersTs}:${sites.query}:`);
    expect(printed).toContain('    --- fiber #201 "GET /users" was spawned here ---');
    expect(printed).toContain(
      '"GET /orders/0" x1, "GET /orders/1" x1, "GET /orders/2" x1, 197 more names',
    );
  });
  it('knows no time in state for a bare Fiber.yield(), even after a wait', () => {
    const child = runFixture(new URL('./fixtures/yield-after-wait.js', import.meta.url));
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      name: 'yielder',
      state: 'suspended',
      stateMs: null,
    });
  });
});

describe('installDumpSignal()', () => {
  it('with json: true, appends one JSON line a dump', async () => {
    const file = path.join(scratch.dir, 'signal-dumps.ndjson');
    const server = await startServer(orders.ordersJs, ['signal', file, 'json']);
    try {
      server.child.kill('SIGUSR2');
      await server.printed('dumped');
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(1);
      const dump = JSON.parse(lines[0]) as FiberDump;
      assertDumpSchema(dump);
      expect(dump.pid).toBe(server.child.pid);
      expectServerGroups(dump, orders.ordersTs);
    } finally {
      server.kill();
    }
  });

  it('appends a dump to the file at each SIGUSR2, and the process goes on', async () => {
    const file = path.join(scratch.dir, 'signal-dumps.txt');
    const server = await startServer(orders.ordersJs, ['signal', file]);
    try {
      server.child.kill('SIGUSR2');
      await server.printed('dumped');
      server.child.kill('SIGUSR2');
      await server.printed('dumped', 2);
      expect(server.child.exitCode).toBe(null);
      expect(existsSync(file)).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(
        text.match(/^Fiber dump of pid \d+ at .*: 280 live fibers in 3 groups$/gm),
      ).toHaveLength(2);
      expect(text).toMatch(/^Main thread: running$/m);
      expect(text).toContain(
        `at query (orders.ts:${sites.query}) <- loadOrder (orders.ts:${sites.loadOrder})`,
      );
    } finally {
      server.kill();
    }
  });
});
