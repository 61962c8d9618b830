'use strict';
// The kitchen scenario's server: the kitchen example's app (embedded PGlite, fiber-style handlers
// and their async/await twins under /async), with its kitchen service. Prints one JSON line (its
// URL, the CPU its isolate's threads are pinned to or -1, the switch mode), then serves until its
// stdin closes.

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
  process.stdout.write(`${JSON.stringify({ url: app.url, cpu, mode: Fiber.switchMode })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

serve().catch((error) => {
  console.log(JSON.stringify({ error: String(error.stack || error) }));
  process.exitCode = 1;
});
