'use strict';
// The kitchen scenario's server: the kitchen example's app (embedded PGlite, fiber-style handlers
// and their async/await twins under /async), with its kitchen service. Prints one JSON line (its
// URL, the URL that turns the watchdog on and off, the CPU its isolate's threads are pinned to or
// -1, the switch mode), then serves until its stdin closes.

const http = require('node:http');
const path = require('node:path');

const kitchenDir = path.join(__dirname, '..', '..', '..', 'examples', 'kitchen');

async function serve() {
  const pino = require('pino');
  const db = require(path.join(kitchenDir, 'db'));
  const { startKitchen } = require(path.join(kitchenDir, 'kitchen-service'));
  const { startApp } = require(path.join(kitchenDir, 'app'));
  await db.migrated();
  const kitchen = await startKitchen({ delayMs: 1 });
  const app = await startApp({ kitchenUrl: kitchen.url, logger: pino({ level: 'silent' }) });
  // In kernel mode the first fiber pins the isolate's threads; say where (-1: not pinned).
  const { Fiber } = require('fiberscope');
  new Fiber(() => {}).run();
  const { binding } = require('../../../dist/fiber/native');
  const cpu = binding.threadStats().pinnedCpu;
  const watchUrl = await serveWatchSwitch();
  process.stdout.write(
    `${JSON.stringify({ url: app.url, watchUrl, cpu, mode: Fiber.switchMode })}\n`,
  );
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

// PUT /on and /off turn fiberscope's watchdog (5 s waits, 200 ms running) on and off, for the
// load generator's rounds that measure what it costs. Its reports, if any, are dropped.
async function serveWatchSwitch() {
  const { watchFibers } = require('fiberscope/diagnostics');
  let watch;
  const server = http.createServer((request, response) => {
    if (request.url === '/on' && watch === undefined) {
      watch = watchFibers({
        waitingLongerThan: 5000,
        runningLongerThan: 200,
        logger: { warn() {} },
      });
    } else if (request.url === '/off' && watch !== undefined) {
      watch.stop();
      watch = undefined;
    }
    response.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

serve().catch((error) => {
  console.log(JSON.stringify({ error: String(error.stack || error) }));
  process.exitCode = 1;
});
