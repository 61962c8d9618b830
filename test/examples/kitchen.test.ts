// The kitchen example end to end: `npm start`'s main job on embedded PGlite and on a real
// PostgreSQL, the service's API in both handler styles, and the models at the REPL.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/child';
import { cli } from '../helpers/cli';
import { postgresMissing, requireOrSkip, skipAllUnless } from '../helpers/requirements';
import { Terminal, tmuxMissing } from '../helpers/terminal';

const kitchenDir = path.join(repoRoot, 'examples', 'kitchen');
const load = createRequire(path.join(kitchenDir, 'main.js'));
const dir = mkdtempSync(path.join(tmpdir(), 'fiberscope-kitchen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface LogLine {
  msg: string;
  route?: string;
  fiber?: { id: number; name: string };
  err?: { type: string; message: string; stack: string };
}

function runMain(env: NodeJS.ProcessEnv, out: string) {
  return spawnSync(process.execPath, [path.join(kitchenDir, 'main.js')], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 90_000,
    killSignal: 'SIGKILL',
    env: { ...process.env, KITCHEN_OUT_DIR: out, KITCHEN_REQUESTS: '150', ...env },
  });
}

function checkMainJob(result: ReturnType<typeof runMain>, out: string, database: string) {
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(
    new RegExp(`kitchen: 150 requests in [\\d.]+s \\(\\d+/s\\) on ${database}`),
  );
  // One order in ten is a soufflé, which the kitchen fails. A look-up can overtake the order it
  // asks for, still being placed on another connection: a 404 then.
  const answers = Object.fromEntries(
    [...(/answers: (.*)/.exec(result.stdout)?.[1] ?? '').matchAll(/(\d+) x (\d+)/g)].map(
      ([, count, status]) => [status, Number(count)],
    ),
  );
  expect(answers['201']).toBe(105);
  expect(answers['502']).toBe(15);
  expect((answers['200'] ?? 0) + (answers['404'] ?? 0)).toBe(30);
  expect(answers['200']).toBeGreaterThanOrEqual(25);
  expect(result.stdout).toContain('websocket notifications received: 105');
  expect(result.stdout).toMatch(/POST \/orders\s+120 fibers/);
  const lines = readFileSync(path.join(out, 'kitchen.log'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LogLine);
  const failures = lines.filter((line) => line.msg === 'request failed');
  expect(failures).toHaveLength(15);
  const stack = failures[0].err?.stack ?? '';
  expect(failures[0].fiber?.name).toBe('POST /orders');
  // The driver's frames (the async HTTP client), the handler's frames where the fiber waited,
  // and the function the request's fiber runs, where it is defined.
  expect(stack).toMatch(
    /^HttpError: POST http:\/\/127\.0\.0\.1:\d+\/tickets answered 503: the soufflé collapsed\n\s+at request \(.*http-client\.js:\d+:\d+\)/,
  );
  expect(stack).toMatch(
    /--- fiber #\d+ "POST \/orders" waited here ---\n\s+at Object\.post \(.*http-client\.js:\d+:\d+\)\n\s+at Object\.placeOrder \(.*handlers\.js:\d+:\d+\)\n\s+at serveRequest \(.*app\.js:\d+:\d+\)/,
  );
  const serveRequestLine =
    readFileSync(path.join(kitchenDir, 'app.js'), 'utf8')
      .split('\n')
      .findIndex((line) => line.includes('function serveRequest()')) + 1;
  expect(stack).toMatch(
    new RegExp(
      `--- fiber #\\d+ "POST /orders" was spawned here ---\\n\\s+at serveRequest \\(.*app\\.js:${serveRequestLine}:\\d+\\)`,
    ),
  );
  const html = readFileSync(path.join(out, 'kitchen-flame.html'), 'utf8');
  expect(html).toContain('POST /orders');
  expect(html).toContain('placeOrder');
  expect(result.stdout).toContain(path.join(out, 'kitchen-flame.html'));

  // The fiber dump taken as the 60th ticket reached the kitchen: the order that sent it waits
  // for the answer, in the kitchen's HTTP client.
  const dumpFile = path.join(out, 'kitchen-fibers.txt');
  expect(result.stdout).toMatch(
    new RegExp(
      `fiber dump \\(mid-load\\): +${escapeRegExp(dumpFile)} \\(\\d+ live fibers?, \\d+ groups?\\)`,
    ),
  );
  const dump = readFileSync(dumpFile, 'utf8');
  expect(dump).toMatch(/^Fiber dump of pid \d+ at .*: \d+ live fibers?/m);
  expect(dump).toMatch(
    /^\d+ fibers? waiting .* at Object\.post \(http-client\.js:\d+\) <- Object\.placeOrder \(handlers\.js:\d+\)/m,
  );
  // The whole trace of the failed request shown above, in a file of its own.
  const failedFile = path.join(out, 'kitchen-failed-request.txt');
  expect(result.stdout).toContain(`a failed request's trace:   ${failedFile}`);
  expect(readFileSync(failedFile, 'utf8')).toBe(`${stack}\n`);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('npm start (examples/kitchen/main.js)', () => {
  it('serves a bounded load on embedded PGlite, logs stitched errors and writes a flame graph', () => {
    const out = path.join(dir, 'pglite');
    // The log of an earlier run is there: this run's log and output are this run's only.
    mkdirSync(out);
    const stale = {
      level: 50,
      time: 0,
      msg: 'request failed',
      fiber: { id: 1, name: 'POST /orders' },
    };
    writeFileSync(
      path.join(out, 'kitchen.log'),
      `${JSON.stringify({ ...stale, err: { type: 'Error', message: 'stale', stack: 'Error: a failure of an earlier run' } })}\n`,
    );
    const result = runMain({ DATABASE_URL: '' }, out);
    checkMainJob(result, out, 'embedded PGlite');
    expect(readFileSync(path.join(out, 'kitchen.log'), 'utf8')).not.toContain('earlier run');
    expect(result.stdout).not.toContain('earlier run');
  });

  const url = process.env.KITCHEN_TEST_DATABASE_URL;
  it('does the same on a real PostgreSQL server through pg', async (context) => {
    requireOrSkip(context, "the kitchen's PostgreSQL test", postgresMissing);
    // A database of this run's own, dropped afterwards.
    const { Client } = load('pg');
    const admin = new Client({ connectionString: url });
    await admin.connect();
    const name = `kitchen_test_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const own = new URL(url as string);
      own.pathname = `/${name}`;
      const out = path.join(dir, 'postgresql');
      checkMainJob(runMain({ DATABASE_URL: own.href }, out), out, 'PostgreSQL');
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    }
  });
});

describe('the orders service, fiber style and async/await style', () => {
  const logged: LogLine[] = [];
  let app: { url: string; close(): Promise<void> };
  let kitchen: { url: string; close(): Promise<void>; setFailing(value: boolean): void };

  beforeAll(async () => {
    const pino = load('pino');
    const { serializers, mixin } = load('fiberscope/pino');
    const logger = pino(
      { serializers, mixin },
      new Writable({
        write(chunk, _encoding, done) {
          logged.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    kitchen = await load('./kitchen-service').startKitchen();
    app = await load('./app').startApp({ kitchenUrl: kitchen.url, logger });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await kitchen?.close();
    await load('./db').close();
  });

  const post = (route: string, body: unknown) =>
    fetch(`${app.url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  for (const prefix of ['', '/async']) {
    const style = prefix === '' ? 'fiber' : 'async/await';
    it(`${style}: places an order, notifies the customer, and shows it`, async () => {
      const WebSocket = load('ws');
      const socket = new WebSocket(`${app.url.replace('http', 'ws')}/updates?customer=lin`);
      const message = new Promise<string>((resolve) =>
        socket.once('message', (data: Buffer) => resolve(String(data))),
      );
      await new Promise((resolve) => socket.once('open', resolve));
      const placed = await post(`${prefix}/orders`, {
        customer: 'lin',
        dish: 'curry',
        quantity: 2,
      });
      expect(placed.status).toBe(201);
      const body = (await placed.json()) as { id: number; status: string; estimateMinutes: number };
      expect(body).toMatchObject({ status: 'cooking', estimateMinutes: 16 });
      expect(JSON.parse(await message)).toEqual({
        orderId: body.id,
        status: 'cooking',
        estimateMinutes: 16,
      });
      socket.close();
      // Both styles share the database: each reads what the other wrote.
      for (const reader of ['', '/async']) {
        const shown = await fetch(`${app.url}${reader}/orders/${body.id}`);
        expect(shown.status).toBe(200);
        expect(await shown.json()).toMatchObject({
          id: body.id,
          customer: 'lin',
          dish: 'curry',
          quantity: 2,
          status: 'cooking',
        });
      }
      expect((await fetch(`${app.url}${prefix}/orders/999999`)).status).toBe(404);
    });

    it(`${style}: answers 502 and logs the failure when the kitchen fails`, async () => {
      const before = logged.length;
      const failed = await post(`${prefix}/orders`, { customer: 'lin', dish: 'soufflé' });
      expect(failed.status).toBe(502);
      expect(((await failed.json()) as { error: string }).error).toContain('the soufflé collapsed');
      kitchen.setFailing(true);
      try {
        expect((await post(`${prefix}/orders`, { customer: 'lin', dish: 'ramen' })).status).toBe(
          502,
        );
      } finally {
        kitchen.setFailing(false);
      }
      const failures = logged.slice(before).filter((line) => line.msg === 'request failed');
      expect(failures.map((line) => line.route)).toEqual([
        `POST ${prefix}/orders`,
        `POST ${prefix}/orders`,
      ]);
      expect(failures[1].err?.message).toContain('the kitchen is closed');
      // Only fiber code has fibers to stitch.
      if (prefix === '') expect(failures[0].err?.stack).toContain('"POST /orders" waited here');
      else expect(failures[0].err?.stack).not.toContain('--- fiber');
    });

    it(`${style}: rejects bad orders with 400`, async () => {
      for (const body of [
        { dish: 'ramen' },
        { customer: 'lin', dish: 'ramen', quantity: 0 },
        'text',
      ]) {
        const answer = await post(`${prefix}/orders`, body);
        expect(answer.status).toBe(400);
      }
      const notJson = await fetch(`${app.url}${prefix}/orders`, { method: 'POST', body: '{' });
      expect(notJson.status).toBe(400);
    });
  }

  it('answers 404 and 405 for other routes', async () => {
    expect((await fetch(`${app.url}/menu`)).status).toBe(404);
    expect((await fetch(`${app.url}/orders`, { method: 'DELETE' })).status).toBe(405);
  });
});

describe.skipIf(skipAllUnless('the kitchen REPL test', tmuxMissing))(
  'fiberscope repl -r ./examples/kitchen/models',
  () => {
    it('looks orders up and changes them synchronously at the prompt', async () => {
      const term = Terminal.start(
        `cd ${JSON.stringify(repoRoot)} && node ${cli} repl --no-history -r ./examples/kitchen/models`,
        { DATABASE_URL: '' },
      );
      try {
        await term.waitFor('Loaded ./examples/kitchen/models: models, Order, orders');
        term.type('orders.create({ customer: "ada", dish: "ramen" })');
        await term.waitFor("status: 'new'", { timeoutMs: 30_000 });
        term.type('const order = orders.find(1)');
        term.type('order.status = "served"; order.save().status');
        await term.waitFor("'served'");
        term.type('orders.find(1).status + " / " + orders.count()');
        await term.waitFor("'served / 1'");
        term.type('orders.create({ customer: "ada", dish: "ramen", quantity: 0 })');
        await term.waitFor('violates check constraint');
        term.type('orders.count()');
        await term.waitFor(/^1$/m);
      } finally {
        term.close();
      }
    });
  },
);
