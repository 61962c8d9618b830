'use strict';
const { median, range, round } = require('../lib/measure');
const { kRange, percent, percentRange, reqPerSec, us } = require('../lib/format');
const { drive } = require('./http/drive');
const { asyncServer, fiberServer, listen } = require('./http/servers');

function config() {
  return {
    requests: Number(process.env.BENCH_HTTP_REQUESTS || 6000),
    warmup: Number(process.env.BENCH_HTTP_WARMUP || 2000),
    reps: Number(process.env.BENCH_HTTP_REPS || 8),
    connections: Number(process.env.BENCH_HTTP_CONNECTIONS || 32),
    maxMs: Number(process.env.BENCH_HTTP_MAX_MS || 5000),
    clientNode: process.env.BENCH_CLIENT_NODE || process.execPath,
    clientCpu: process.env.BENCH_CLIENT_CPU,
  };
}

// The figures of a style's runs: medians, and the range of req/s.
function summarize(prefix, runs) {
  const med = (key) => median(runs.map((x) => x[key]));
  const out = {};
  out[`${prefix}ReqPerSec`] = Math.round(med('reqPerSec'));
  out[`${prefix}ReqPerSecRange`] = range(runs.map((x) => x.reqPerSec));
  out[`${prefix}ServerCpuUsPerReq`] = round(med('serverCpuUsPerReq'), 1);
  out[`${prefix}ServerCpuPerWall`] = round(med('serverCpuPerWall'));
  out[`${prefix}Runs`] = runs;
  return out;
}

const shareTarget = { min: 1, text: "≥ node-fibers' share" };

module.exports = {
  title: 'HTTP on loopback',
  about: `One process serves the same handler twice, on two ports: in a fiber per request
(node-fibers API: it waits for an event-loop turn and for a resolved promise, then sends a small
JSON body) and as an async function. A load generator, a process of its own on this machine's
Node whichever node serves, keeps 32 connections busy (BENCH_HTTP_CONNECTIONS) for 6,000
requests a run (BENCH_HTTP_REQUESTS), after 2,000 to warm up; 8 pairs of runs, one of each
style, back to back, the first of each pair alternating between the styles (BENCH_HTTP_REPS);
medians of req/s, and the server process's CPU per request. The fiber share of async/await is
the figure that compares runtimes: the median of the 8 pairs' shares (each pair's two runs are
seconds apart, on the same Node and nearly the same machine state), so that it cancels what
differs between the columns and what drifts during a column.

The run is made twice: with free placement, where the result depends on whether the scheduler
puts client and server on one CPU (cheap wake-ups) or on two (a cross-CPU wake per hand-off), and
with the server process on CPU 0 and the load generator on CPU 1 (\`taskset\`). Kernel mode pins
the isolate's threads to one CPU, since a hand-off that wakes the other CPU costs ~20 µs here,
but on a 2-core machine that also runs the load generator a pinned main thread costs async/await
code in the same process about a third of its throughput. User mode switches without the kernel
and pins nothing, which is why its free-placement share is where kernel mode's split-CPU share
is. User mode runs once more without spawn-site records (\`FIBERSCOPE_SPAWN_SITES=0\`).`,
  order: 80,
  limit: 90,
  variants: ['split', 'noSpawnSites'],
  async measure({ Fiber }) {
    const options = config();
    const servers = { fiber: fiberServer(Fiber), async: asyncServer() };
    const ports = { fiber: await listen(servers.fiber), async: await listen(servers.async) };
    await drive(ports.fiber, options.warmup, options);
    await drive(ports.async, options.warmup, options);
    const runs = { fiber: [], async: [] };
    // Pairs in alternating order (fiber first, then async first), so that a style does not
    // always run on the machine state the other left.
    for (let r = 0; r < options.reps; r++) {
      const order = r % 2 === 0 ? ['fiber', 'async'] : ['async', 'fiber'];
      for (const style of order) {
        runs[style].push(await drive(ports[style], options.requests, options));
      }
    }
    const pairRatios = runs.fiber.map((run, r) => run.reqPerSec / runs.async[r].reqPerSec);
    servers.fiber.close();
    servers.async.close();
    const fiber = summarize('fiber', runs.fiber);
    const asyncStyle = summarize('async', runs.async);
    return Object.assign(
      {
        connections: options.connections,
        requestsPerRun: options.requests,
        reps: options.reps,
        ratio: round(median(pairRatios), 3),
        ratioRange: range(pairRatios.map((x) => round(x, 3))),
        errors: runs.fiber.concat(runs.async).reduce((n, x) => n + x.errors, 0),
      },
      fiber,
      asyncStyle,
    );
  },
  rows: [
    {
      label: 'HTTP loopback, 32 conns: req/s (median)',
      fiber: (at) => at('fiberReqPerSec'),
      async: (at) => at('asyncReqPerSec'),
      show: reqPerSec,
    },
    {
      label: '  req/s min–max over the runs',
      fiber: (at) => at('fiberReqPerSecRange'),
      async: (at) => at('asyncReqPerSecRange'),
      show: kRange,
    },
    {
      label: '  fiber share of async/await',
      fiber: (at) => at('ratio'),
      show: percent,
      target: shareTarget,
      summary: 'HTTP loopback, free placement: fiber share of async/await',
    },
    {
      label: '  share min–max over the pairs',
      fiber: (at) => at('ratioRange'),
      show: percentRange,
    },
    {
      label: '  server process CPU per request',
      fiber: (at) => at('fiberServerCpuUsPerReq'),
      async: (at) => at('asyncServerCpuUsPerReq'),
      show: us(1),
    },
    {
      label: '  … req/s without spawn sites',
      fiber: (at) => at('fiberReqPerSec', 'noSpawnSites'),
      async: (at) => at('asyncReqPerSec', 'noSpawnSites'),
      show: reqPerSec,
    },
    {
      label: 'HTTP, server on CPU 0, client on CPU 1: req/s',
      fiber: (at) => at('fiberReqPerSec', 'split'),
      async: (at) => at('asyncReqPerSec', 'split'),
      show: reqPerSec,
    },
    {
      label: '  fiber share of async/await (split CPUs)',
      fiber: (at) => at('ratio', 'split'),
      show: percent,
      target: shareTarget,
      summary: 'HTTP, server and client on CPUs of their own: fiber share',
    },
    {
      label: '  share min–max over the pairs (split CPUs)',
      fiber: (at) => at('ratioRange', 'split'),
      show: percentRange,
    },
  ],
};
