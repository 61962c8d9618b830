'use strict';
// The kitchen's handlers, fiber style and async/await style, served by the same app (one
// process, embedded PGlite) and loaded side by side from this process on loopback: throughput
// and p50/p99 latency per style. Rounds alternate between the styles so that drift on a shared
// machine hits both. Prints one JSON line last. Bounded: a fixed number of requests per round,
// each round under a time limit.
//
//   node bench/kitchen.js          the benchmark: starts the server, then the load generator,
//                                  each in a child process
//   node bench/kitchen.js serve    the server: prints its URL and CPU, runs until stdin closes
//   node bench/kitchen.js load URL the load generator: prints the results
//
// The server runs in fiberscope's default switch mode, or the one FIBERSCOPE_SWITCH asks for. In
// kernel mode its isolate's threads share one CPU (fiberscope pins them, which makes fiber
// switches cheap) and the load generator runs on another CPU when there is one (taskset), as a
// real client would, so that it does not take the server's CPU away in the middle of a switch;
// in user mode nothing is pinned, and both go where the scheduler puts them.

const childProcess = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const kitchenDir = path.join(__dirname, '..', 'examples', 'kitchen');
const ROUNDS = Number(process.env.BENCH_KITCHEN_ROUNDS || 6);
const REQUESTS = Number(process.env.BENCH_KITCHEN_REQUESTS || 1500);
const CONCURRENCY = Number(process.env.BENCH_KITCHEN_CONCURRENCY || 16);
const DISHES = ['ramen', 'gyoza', 'curry'];

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
  const { binding } = require('../dist/fiber/native');
  const cpu = binding.threadStats().pinnedCpu;
  const mode = Fiber.switchMode;
  process.stdout.write(`${JSON.stringify({ url: app.url, cpu, mode })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

/** The CPU time a process has used, user and system, from /proc (Linux). */
function serverCpuMs(pid) {
  const fields = require('node:fs')
    .readFileSync(`/proc/${pid}/stat`, 'utf8')
    .split(') ')[1]
    .split(' ');
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function lineOf(child) {
  return new Promise((resolve, reject) => {
    readline
      .createInterface({ input: child.stdout })
      .once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`a benchmark process exited (${code})`)));
  });
}

async function bench() {
  const server = childProcess.spawn(process.execPath, [__filename, 'serve'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, DATABASE_URL: '' },
  });
  const killer = setTimeout(() => server.kill('SIGKILL'), 300_000);
  try {
    const { url, cpu, mode } = await lineOf(server);
    const cpus = require('node:os').availableParallelism();
    const clientCpu = cpu >= 0 && cpus > 1 ? (cpu + 1) % cpus : -1;
    const args = [__filename, 'load', url];
    const client =
      clientCpu >= 0
        ? childProcess.spawn('taskset', ['-c', String(clientCpu), process.execPath, ...args], {
            stdio: ['ignore', 'pipe', 'inherit'],
          })
        : childProcess.spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    // The client announces each round; the server's CPU time (from /proc) is read at both ends.
    const cpuMs = { fiber: 0, async: 0 };
    const requests = { fiber: 0, async: 0 };
    let atStart = 0;
    const result = await new Promise((resolve, reject) => {
      readline.createInterface({ input: client.stdout }).on('line', (line) => {
        const message = JSON.parse(line);
        if (message.event === 'start') atStart = serverCpuMs(server.pid);
        else if (message.event === 'end') {
          cpuMs[message.style] += serverCpuMs(server.pid) - atStart;
          requests[message.style] += message.sent;
        } else resolve(message);
      });
      client.once('exit', (code) => reject(new Error(`the load generator exited (${code})`)));
    });
    const perRequest = (style) => Number(((cpuMs[style] * 1000) / requests[style]).toFixed(0));
    result.fiber.serverCpuUsPerRequest = perRequest('fiber');
    result.async.serverCpuUsPerRequest = perRequest('async');
    console.log(JSON.stringify({ switchMode: mode, serverCpu: cpu, clientCpu, ...result }));
  } finally {
    clearTimeout(killer);
    server.stdin.end();
    server.kill();
  }
}

async function load(url) {
  const WebSocket = require('ws');
  const { drive, percentile } = require(path.join(kitchenDir, 'load'));
  // One customer listens, so that every order's notification is really sent.
  const socket = new WebSocket(`${url.replace('http', 'ws')}/updates?customer=bench`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const round = (prefix, requests) =>
    drive({
      baseUrl: url,
      requests,
      concurrency: CONCURRENCY,
      timeLimitMs: 60_000,
      next: (i) =>
        i % 4 === 3
          ? { method: 'GET', path: `${prefix}/orders/${1 + i}` }
          : {
              method: 'POST',
              path: `${prefix}/orders`,
              body: { customer: 'bench', dish: DISHES[i % 3], quantity: 1 + (i % 2) },
            },
    });
  // Warm-up: JIT, PGlite's caches, connections.
  await round('', 300);
  await round('/async', 300);
  const runs = { fiber: [], async: [] };
  for (let i = 0; i < ROUNDS; i++) {
    for (const style of i % 2 === 0 ? ['fiber', 'async'] : ['async', 'fiber']) {
      console.log(JSON.stringify({ event: 'start', style }));
      const result = await round(style === 'fiber' ? '' : '/async', REQUESTS);
      console.log(JSON.stringify({ event: 'end', style, sent: result.sent }));
      const failed = Object.entries(result.statuses)
        .filter(([code]) => !/^20\d$/.test(code) && code !== '404')
        .reduce((n, [, count]) => n + count, 0);
      runs[style].push({
        perSecond: result.sent / (result.durationMs / 1000),
        latenciesMs: result.latenciesMs,
        failed,
      });
    }
  }
  socket.close();
  const summary = (style) => {
    const rates = runs[style].map((run) => run.perSecond).sort((a, b) => a - b);
    const latencies = runs[style].flatMap((run) => run.latenciesMs).sort((a, b) => a - b);
    return {
      perSecond: Math.round(rates[Math.floor(rates.length / 2)]),
      rates: rates.map(Math.round),
      p50Ms: Number(percentile(latencies, 50).toFixed(2)),
      p99Ms: Number(percentile(latencies, 99).toFixed(2)),
      failed: runs[style].reduce((n, run) => n + run.failed, 0),
    };
  };
  const fiber = summary('fiber');
  const asyncStyle = summary('async');
  console.log(
    JSON.stringify({
      rounds: ROUNDS,
      requestsPerRound: REQUESTS,
      concurrency: CONCURRENCY,
      fiber,
      async: asyncStyle,
      fiberShare: Number(((fiber.perSecond / asyncStyle.perSecond) * 100).toFixed(1)),
    }),
  );
  process.exit(0);
}

const mode = process.argv[2];
(mode === 'serve' ? serve() : mode === 'load' ? load(process.argv[3]) : bench()).catch((error) => {
  console.log(JSON.stringify({ error: String(error.stack || error) }));
  process.exitCode = 1;
});
