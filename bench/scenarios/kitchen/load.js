'use strict';
// The kitchen scenario's load generator: rounds of orders (three POSTs, then a GET) against the
// fiber-style handlers and their async/await twins, alternating, with one customer listening on
// the WebSocket so that every order's notification is really sent; the fiber-style rounds once
// more with fiberscope's watchdog on (`watched`, switched at <watch-url>). Announces each round's
// start and end on stdout (the server's CPU is read then), and prints its results last.
//
//   node bench/scenarios/kitchen/load.js <url> <watch-url>

const path = require('node:path');
const WebSocket = require('ws');

const { drive, percentile } = require(
  path.join(__dirname, '..', '..', '..', 'examples', 'kitchen', 'load'),
);

const ROUNDS = Number(process.env.BENCH_KITCHEN_ROUNDS || 6);
const REQUESTS = Number(process.env.BENCH_KITCHEN_REQUESTS || 1500);
const CONCURRENCY = Number(process.env.BENCH_KITCHEN_CONCURRENCY || 16);
const DISHES = ['ramen', 'gyoza', 'curry'];

const [url, watchUrl] = process.argv.slice(2);
const STYLES = ['fiber', 'async', 'watched'];
const PREFIX = { fiber: '', async: '/async', watched: '' };

const switchWatchdog = (on) => fetch(`${watchUrl}/${on ? 'on' : 'off'}`, { method: 'PUT' });
const say = (message) => console.log(JSON.stringify(message));

function round(prefix, requests) {
  return drive({
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
}

// A style's rounds: the median round's rate (the upper one of an even count), every round's,
// latency percentiles over all requests, and the requests that failed.
function summary(runs) {
  const rates = runs.map((run) => run.perSecond).sort((a, b) => a - b);
  const latencies = runs.flatMap((run) => run.latenciesMs).sort((a, b) => a - b);
  return {
    perSecond: Math.round(rates[Math.floor(rates.length / 2)]),
    rates: rates.map(Math.round),
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    failed: runs.reduce((n, run) => n + run.failed, 0),
  };
}

// The median over the rounds of `runs`' rate over `base`'s in the same round (next to each other
// in time: drift on a shared machine moves both), in %, with the lowest and highest.
function pairedShare(runs, base) {
  const shares = runs
    .map((run, i) => (run.perSecond / base[i].perSecond) * 100)
    .sort((a, b) => a - b);
  const round1 = (x) => Number(x.toFixed(1));
  return {
    median: round1(shares[Math.floor(shares.length / 2)]),
    min: round1(shares[0]),
    max: round1(shares[shares.length - 1]),
  };
}

async function load() {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/updates?customer=bench`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  // Warm-up: JIT, PGlite's caches, connections.
  await round('', 300);
  await round('/async', 300);
  const runs = { fiber: [], async: [], watched: [] };
  for (let i = 0; i < ROUNDS; i++) {
    // Each style first, second and third in turn, so that drift hits all three.
    for (const style of STYLES.map((_, j) => STYLES[(i + j) % STYLES.length])) {
      if (style === 'watched') await switchWatchdog(true);
      say({ event: 'start', style });
      const result = await round(PREFIX[style], REQUESTS);
      say({ event: 'end', style, sent: result.sent });
      if (style === 'watched') await switchWatchdog(false);
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
  const fiber = summary(runs.fiber);
  const asyncStyle = summary(runs.async);
  const watched = summary(runs.watched);
  say({
    rounds: ROUNDS,
    requestsPerRound: REQUESTS,
    concurrency: CONCURRENCY,
    fiber,
    async: asyncStyle,
    watched,
    fiberShare: Number(((fiber.perSecond / asyncStyle.perSecond) * 100).toFixed(1)),
    watchedShare: pairedShare(runs.watched, runs.fiber),
  });
  process.exit(0);
}

load().catch((error) => {
  say({ error: String(error.stack || error) });
  process.exitCode = 1;
});
