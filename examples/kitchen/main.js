// `npm start`: the kitchen end to end. Starts the kitchen service and the orders service on
// loopback (embedded PGlite, or PostgreSQL with DATABASE_URL), connects two customers'
// websockets, profiles a short bounded load where some orders fail in the kitchen, takes a fiber
// dump in the middle of it, then says where the stitched error log, the per-request flame graph,
// the fiber dump and the trace of a failed request are.
const fs = require('node:fs');
const path = require('node:path');
const pino = require('pino');
const WebSocket = require('ws');
const { dumpFibers, formatFiberDump } = require('fiberscope/diagnostics');
const { startProfiling } = require('fiberscope/profiler');
const { serializers, mixin } = require('fiberscope/pino');
const db = require('./db');
const { startApp } = require('./app');
const { startKitchen } = require('./kitchen-service');
const { drive, percentile } = require('./load');

const CUSTOMERS = ['ada', 'grace'];
const DISHES = ['ramen', 'gyoza', 'curry'];

async function main() {
  const outDir = path.resolve(process.env.KITCHEN_OUT_DIR ?? path.join(__dirname, 'out'));
  const requests = Number(process.env.KITCHEN_REQUESTS ?? 400);
  fs.mkdirSync(outDir, { recursive: true });
  const logFile = path.join(outDir, 'kitchen.log');
  const flameFile = path.join(outDir, 'kitchen-flame.html');
  const dumpFile = path.join(outDir, 'kitchen-fibers.txt');
  const failedFile = path.join(outDir, 'kitchen-failed-request.txt');
  // Each run's log is that run's own: an earlier run's lines (and its failures) are not kept.
  const destination = pino.destination({ dest: logFile, sync: true, append: false });
  const logger = pino({ serializers, mixin }, destination);

  const started = Date.now();
  const database = (await db.migrated()).kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL';
  // Mid-load, as a ticket arrives: the order that sent it is one of the fibers waiting.
  let dump;
  const midLoad = Math.ceil((requests * 0.8) / 2);
  const kitchen = await startKitchen({
    onTicket: (n) => {
      if (n === midLoad) dump = dumpFibers();
    },
  });
  const app = await startApp({ kitchenUrl: kitchen.url, logger });
  const notifications = { count: 0 };
  const sockets = await Promise.all(
    CUSTOMERS.map(
      (customer) =>
        new Promise((resolve, reject) => {
          const socket = new WebSocket(
            `${app.url.replace('http', 'ws')}/updates?customer=${customer}`,
          );
          socket.on('message', () => notifications.count++);
          socket.once('open', () => resolve(socket));
          socket.once('error', reject);
        }),
    ),
  );
  logger.info({ database, app: app.url, kitchen: kitchen.url }, 'kitchen started');

  const profiler = startProfiling({ intervalUs: 1000 });
  const result = await drive({
    baseUrl: app.url,
    requests,
    concurrency: 8,
    timeLimitMs: 30_000,
    // Mostly orders (one in ten a soufflé, which the kitchen fails), some look-ups.
    next: (i) =>
      i % 5 === 4
        ? { method: 'GET', path: `/orders/${1 + Math.floor(i / 2)}` }
        : {
            method: 'POST',
            path: '/orders',
            body: {
              customer: CUSTOMERS[i % 2],
              dish: i % 10 === 3 ? 'soufflé' : DISHES[i % 3],
              quantity: 1 + (i % 3),
            },
          },
  });
  const profile = profiler.stop();
  fs.writeFileSync(flameFile, profile.toHtml({ title: 'kitchen: one fiber per request' }));
  if (dump !== undefined) fs.writeFileSync(dumpFile, `${formatFiberDump(dump)}\n`);
  else fs.rmSync(dumpFile, { force: true });

  for (const socket of sockets) socket.close();
  await app.close();
  await kitchen.close();
  await db.close();
  destination.flushSync();

  const logLines = fs
    .readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const failed = logLines.find((line) => line.msg === 'request failed');
  const byName = profile.byName();
  const seconds = result.durationMs / 1000;
  const out = process.stdout;
  out.write(
    `\nkitchen: ${result.sent} requests in ${seconds.toFixed(1)}s (${Math.round(result.sent / seconds)}/s) on ${database}; ${Date.now() - started} ms in all\n`,
  );
  out.write(
    `  answers: ${Object.entries(result.statuses)
      .map(([code, n]) => `${n} x ${code}`)
      .join(', ')}\n`,
  );
  out.write(
    `  latency: p50 ${percentile(result.latenciesMs, 50).toFixed(1)} ms, p99 ${percentile(result.latenciesMs, 99).toFixed(1)} ms\n`,
  );
  out.write(`  websocket notifications received: ${notifications.count}\n`);
  out.write('  time per route (fibers):\n');
  for (const group of byName.filter((entry) => entry.kind === 'fiber' && entry.name !== '')) {
    out.write(
      `    ${group.name.padEnd(20)} ${String(group.fibers).padStart(5)} fibers  cpu ${group.cpuMs.toFixed(0).padStart(5)} ms  waiting ${group.waitMs.toFixed(0).padStart(6)} ms\n`,
    );
  }
  out.write(`\n  log (pino, stitched errors): ${logFile}\n`);
  out.write(`  flame graph (per request):  ${flameFile}\n`);
  if (dump !== undefined) {
    out.write(
      `  fiber dump (mid-load):      ${dumpFile} (${count(dump.fibers.length, 'live fiber')}, ${count(dump.groups.length, 'group')})\n`,
    );
  }
  fs.rmSync(failedFile, { force: true });
  if (failed !== undefined) {
    fs.writeFileSync(failedFile, `${failed.err.stack}\n`);
    out.write(`  a failed request's trace:   ${failedFile}\n`);
    out.write(`\n  a failed request, as logged (${failed.fiber?.name ?? 'no fiber'}):\n`);
    for (const line of failed.err.stack.split('\n').slice(0, 14)) out.write(`    ${line}\n`);
  }
}

const count = (n, what) => `${n} ${what}${n === 1 ? '' : 's'}`;

main().catch((error) => {
  process.stderr.write(`kitchen: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
