'use strict';
// One benchmark scenario per process, through the node-fibers API, so that the same code runs on
// fiberscope (Node 20+, `fiberscope/fibers`) and on node-fibers 5.0.3 (Node 14, `fibers`).
//
//   node --expose-gc bench/scenarios.js <lib> <scenario>
//     lib:      fiberscope | fibers   (fibers is loaded from $BENCH_FIBERS_PATH)
//     scenario: roundtrip | immediate | turns | timer | live | rss | spawn | http | client
//
// Prints exactly one JSON line on stdout: {"ok":true, ...results} (or {"ok":false,"error":...}).
// Every result also says how much CPU its process used in all (processCpuMs: user + system, all
// threads, from the process's start to the result), which bench/run.js adds up for the whole bench.
// Written for Node 14 too: CommonJS, no logical assignment, no top-level await, no global
// `performance`, no timers/promises.

const http = require('node:http');
const childProcess = require('node:child_process');

const lib = process.argv[2];
const scenario = process.argv[3];

function loadFiber() {
  if (lib === 'fiberscope') return require('fiberscope/fibers');
  if (lib === 'fibers') return require(process.env.BENCH_FIBERS_PATH || 'fibers');
  throw new Error(`unknown lib ${lib}`);
}

// `client` needs no fiber library (it may run under another node than the server).
const Fiber = scenario === 'client' ? null : loadFiber();

// ---- helpers -------------------------------------------------------------------------------

const now = () => process.hrtime.bigint();
const nsSince = (t0) => Number(process.hrtime.bigint() - t0);

function median(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function round(x, digits) {
  const f = 10 ** (digits === undefined ? 3 : digits);
  return Math.round(x * f) / f;
}

// Process CPU time (all threads: user + system) over wall time, measured around `fn`'s work.
function cpuMeter() {
  const cpu0 = process.cpuUsage();
  const t0 = now();
  return function stop() {
    const cpu = process.cpuUsage(cpu0);
    const wallNs = nsSince(t0);
    const cpuUs = cpu.user + cpu.system;
    return { wallMs: wallNs / 1e6, cpuMs: cpuUs / 1e3, cpuPerWall: (cpuUs * 1e3) / wallNs };
  };
}

// How a node-fibers user waits for a promise: both runtimes run exactly this.
function waitFor(promise) {
  const fiber = Fiber.current;
  promise.then(
    (value) => fiber.run(value),
    (error) => fiber.throwInto(error),
  );
  return Fiber.yield();
}

const immediate = () => new Promise((resolve) => setImmediate(resolve));
const timeout = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Runs `body` in a fiber and resolves with its result once the fiber finishes.
function inFiber(body) {
  return new Promise((resolve, reject) => {
    Fiber(() => {
      try {
        resolve(body());
      } catch (error) {
        reject(error);
      }
    }).run();
  });
}

function gc() {
  if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');
  global.gc();
  global.gc();
}

function runtime() {
  const info = { node: process.version, lib };
  if (lib === 'fiberscope') {
    const { Fiber: F } = require('fiberscope');
    info.switchMode = F.switchMode;
    if (F.switchModeReason) info.switchModeReason = F.switchModeReason;
    info.pinThreads = F.switchMode === 'kernel' && F.pinThreads;
  }
  return info;
}

// ---- scenarios -----------------------------------------------------------------------------

// (1) run()/yield() round trip: main resumes a fiber that yields right back.
async function roundtrip() {
  const batches = Number(process.env.BENCH_RT_BATCHES || 20);
  const perBatch = Number(process.env.BENCH_RT_N || 20000);
  const fiber = Fiber(() => {
    for (;;) Fiber.yield();
  });
  for (let i = 0; i < perBatch; i++) fiber.run(); // warm-up
  const perRound = [];
  const stop = cpuMeter();
  for (let b = 0; b < batches; b++) {
    const t0 = now();
    for (let i = 0; i < perBatch; i++) fiber.run();
    perRound.push(nsSince(t0) / perBatch);
  }
  const cpu = stop();
  return {
    roundTripNs: round(median(perRound), 1),
    roundTripNsMin: round(Math.min.apply(null, perRound), 1),
    roundTripNsMax: round(Math.max.apply(null, perRound), 1),
    cpuPerWall: round(cpu.cpuPerWall),
    roundTrips: batches * perBatch,
  };
}

// (2) One fiber waiting on setImmediate promises, next to async/await doing the same.
async function immediateScenario() {
  const reps = Number(process.env.BENCH_IMM_REPS || 7);
  const n = Number(process.env.BENCH_IMM_N || 10000);
  const fiberBatch = () =>
    inFiber(() => {
      const t0 = now();
      for (let i = 0; i < n; i++) waitFor(immediate());
      return nsSince(t0) / n;
    });
  const asyncBatch = async () => {
    const t0 = now();
    for (let i = 0; i < n; i++) await immediate();
    return nsSince(t0) / n;
  };
  let nativeBatch = null;
  if (lib === 'fiberscope') {
    const { wait } = require('fiberscope');
    nativeBatch = () =>
      inFiber(() => {
        const t0 = now();
        for (let i = 0; i < n; i++) wait(immediate());
        return nsSince(t0) / n;
      });
  }
  await fiberBatch();
  await asyncBatch();
  if (nativeBatch) await nativeBatch();
  const fiberNs = [];
  const asyncNs = [];
  const nativeNs = [];
  let fiberCpu = 0;
  let fiberWall = 0;
  let asyncCpu = 0;
  let asyncWall = 0;
  for (let r = 0; r < reps; r++) {
    let stop = cpuMeter();
    fiberNs.push(await fiberBatch());
    let c = stop();
    fiberCpu += c.cpuMs;
    fiberWall += c.wallMs;
    stop = cpuMeter();
    asyncNs.push(await asyncBatch());
    c = stop();
    asyncCpu += c.cpuMs;
    asyncWall += c.wallMs;
    if (nativeBatch) nativeNs.push(await nativeBatch());
  }
  const out = {
    fiberWaitUs: round(median(fiberNs) / 1000),
    asyncAwaitUs: round(median(asyncNs) / 1000),
    fiberCpuPerWall: round(fiberCpu / fiberWall),
    asyncCpuPerWall: round(asyncCpu / asyncWall),
  };
  out.ratio = round(out.fiberWaitUs / out.asyncAwaitUs, 2);
  if (nativeBatch) out.nativeWaitUs = round(median(nativeNs) / 1000);
  return out;
}

// (3) 32 fibers taking turns through the event loop: each waits M times on setImmediate.
async function turns() {
  const fibers = Number(process.env.BENCH_TURNS_FIBERS || 32);
  const m = Number(process.env.BENCH_TURNS_M || 1000);
  const reps = Number(process.env.BENCH_TURNS_REPS || 5);
  const fiberRound = () => {
    const all = [];
    for (let f = 0; f < fibers; f++) {
      all.push(
        inFiber(() => {
          for (let i = 0; i < m; i++) waitFor(immediate());
        }),
      );
    }
    return Promise.all(all);
  };
  const asyncRound = () => {
    const all = [];
    for (let f = 0; f < fibers; f++) {
      all.push(
        (async () => {
          for (let i = 0; i < m; i++) await immediate();
        })(),
      );
    }
    return Promise.all(all);
  };
  const measure = async (round1) => {
    const stop = cpuMeter();
    await round1();
    const c = stop();
    return { us: (c.wallMs * 1000) / (fibers * m), cpuPerWall: c.cpuPerWall };
  };
  await measure(fiberRound);
  await measure(asyncRound);
  const fiberRes = [];
  const asyncRes = [];
  for (let r = 0; r < reps; r++) {
    fiberRes.push(await measure(fiberRound));
    asyncRes.push(await measure(asyncRound));
  }
  return {
    fibers,
    waitsPerFiber: m,
    fiberWaitUs: round(median(fiberRes.map((x) => x.us))),
    fiberCpuPerWall: round(median(fiberRes.map((x) => x.cpuPerWall))),
    asyncAwaitUs: round(median(asyncRes.map((x) => x.us))),
    asyncCpuPerWall: round(median(asyncRes.map((x) => x.cpuPerWall))),
  };
}

// (4) A 1 ms timer: how much later does the fiber wake than an async function would? Samples
// alternate one by one (fiber, async, fiber, ...) so that drift hits both alike; each fiber sample
// is timed inside the fiber, from just before wait() to just after it returns.
async function timer() {
  const n = Number(process.env.BENCH_TIMER_N || 200);
  const warm = 20;
  const fiberUs = [];
  const asyncUs = [];
  for (let i = 0; i < n + warm; i++) {
    const f = await inFiber(() => {
      const t0 = now();
      waitFor(timeout(1));
      return nsSince(t0) / 1000;
    });
    const t0 = now();
    await timeout(1);
    const a = nsSince(t0) / 1000;
    if (i >= warm) {
      fiberUs.push(f);
      asyncUs.push(a);
    }
  }
  const fm = median(fiberUs);
  const am = median(asyncUs);
  const diffs = fiberUs.map((v, i) => v - asyncUs[i]);
  return {
    samples: n,
    fiberTimerUs: round(fm, 1),
    asyncTimerUs: round(am, 1),
    extraUs: round(fm - am, 1),
    medianPairDiffUs: round(median(diffs), 1),
  };
}

// (5) 10,000 live fibers: the time to make them all (each one started and suspended in its first
// yield, all of them alive at once), then the time to resume each one to its end. Several rounds,
// a GC between them (not timed); medians, and the first (cold) round on its own.
async function live() {
  const count = Number(process.env.BENCH_LIVE_FIBERS || 10000);
  const rounds = Number(process.env.BENCH_LIVE_ROUNDS || 3);
  inFiberSync();
  const makeMs = [];
  const finishMs = [];
  for (let r = 0; r < rounds; r++) {
    gc();
    const fibers = new Array(count);
    let finished = 0;
    const t0 = now();
    for (let i = 0; i < count; i++) {
      const fiber = Fiber(() => {
        Fiber.yield();
        finished++;
      });
      fiber.run();
      fibers[i] = fiber;
    }
    makeMs.push(nsSince(t0) / 1e6);
    const t1 = now();
    for (let i = 0; i < count; i++) fibers[i].run();
    finishMs.push(nsSince(t1) / 1e6);
    if (finished !== count) throw new Error(`round ${r}: ${finished} of ${count} fibers finished`);
  }
  return {
    fibers: count,
    rounds,
    makeMs: round(median(makeMs), 1),
    finishMs: round(median(finishMs), 1),
    firstMakeMs: round(makeMs[0], 1),
    firstFinishMs: round(finishMs[0], 1),
    makeMsAll: makeMs.map((v) => round(v, 1)),
    finishMsAll: finishMs.map((v) => round(v, 1)),
  };
}

// (6) Memory of suspended fibers: 10,000 fibers, each yielded once and held.
async function rss() {
  const count = Number(process.env.BENCH_RSS_FIBERS || 10000);
  // Warm up code paths (and, for fiberscope, the thread pool is not what we measure: empty it).
  inFiberSync();
  gc();
  const rss0 = process.memoryUsage().rss;
  const t0 = now();
  const live = new Array(count);
  let finished = 0;
  for (let i = 0; i < count; i++) {
    const fiber = Fiber(() => {
      const got = Fiber.yield(i);
      if (got === i * 2) finished++;
    });
    const y = fiber.run();
    if (y !== i) throw new Error(`fiber ${i} yielded ${y}`);
    live[i] = fiber;
  }
  const spawnMs = nsSince(t0) / 1e6;
  gc();
  const rss1 = process.memoryUsage().rss;
  const t1 = now();
  for (let i = 0; i < count; i++) live[i].run(i * 2);
  const resumeMs = nsSince(t1) / 1e6;
  // async/await next to it: `count` async functions suspended on a pending promise.
  gc();
  const rssA0 = process.memoryUsage().rss;
  const resolvers = [];
  const pending = [];
  for (let i = 0; i < count; i++) {
    pending.push(
      (async () => {
        await new Promise((resolve) => resolvers.push(resolve));
        return i;
      })(),
    );
  }
  gc();
  const rssA1 = process.memoryUsage().rss;
  for (const r of resolvers) r();
  await Promise.all(pending);
  return {
    fibers: count,
    kbPerFiber: round((rss1 - rss0) / 1024 / count, 2),
    rssBeforeMb: round(rss0 / 1048576, 1),
    rssWithFibersMb: round(rss1 / 1048576, 1),
    finished,
    allFinished: finished === count,
    spawnAndSuspendMs: round(spawnMs, 1),
    resumeAllMs: round(resumeMs, 1),
    asyncKbPerPending: round((rssA1 - rssA0) / 1024 / count, 2),
  };
}

function inFiberSync() {
  for (let i = 0; i < 10; i++) {
    const f = Fiber(() => Fiber.yield());
    f.run();
    f.run();
  }
}

// (7) spawn + finish rate, with a warm pool.
async function spawn() {
  const reps = Number(process.env.BENCH_SPAWN_REPS || 7);
  const n = Number(process.env.BENCH_SPAWN_N || 5000);
  const noop = () => {};
  for (let i = 0; i < n; i++) Fiber(noop).run(); // warm-up
  const rates = [];
  const stop = cpuMeter();
  for (let r = 0; r < reps; r++) {
    const t0 = now();
    for (let i = 0; i < n; i++) Fiber(noop).run();
    rates.push(n / (nsSince(t0) / 1e9));
  }
  const c = stop();
  return { perSecond: Math.round(median(rates)), cpuPerWall: round(c.cpuPerWall) };
}

// (8) HTTP on loopback: a fiber per request vs the same handler in async/await.
function httpScenario() {
  const requests = Number(process.env.BENCH_HTTP_REQUESTS || 10000);
  const warmup = Number(process.env.BENCH_HTTP_WARMUP || 2000);
  const connections = Number(process.env.BENCH_HTTP_CONNECTIONS || 32);
  const maxMs = Number(process.env.BENCH_HTTP_MAX_MS || 5000);
  const reps = Number(process.env.BENCH_HTTP_REPS || 5);
  const clientNode = process.env.BENCH_CLIENT_NODE || process.execPath;

  const render = (req, a, b) =>
    JSON.stringify({ url: req.url, method: req.method, a, b, items: [1, 2, 3], ok: true });

  const fiberServer = http.createServer((req, res) => {
    Fiber(() => {
      const a = waitFor(immediate().then(() => 1));
      const b = waitFor(Promise.resolve(2));
      const body = render(req, a, b);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    }).run();
  });
  const asyncServer = http.createServer(async (req, res) => {
    const a = await immediate().then(() => 1);
    const b = await Promise.resolve(2);
    const body = render(req, a, b);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  const listen = (server) =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server.address().port));
    });

  // Server-side CPU is measured from the client's "go" (its node is up) to its exit.
  const load = (port, count) =>
    new Promise((resolve, reject) => {
      let stop = cpuMeter();
      const clientArgs = [
        __filename,
        'none',
        'client',
        String(port),
        String(count),
        String(connections),
        String(maxMs),
      ];
      // BENCH_CLIENT_CPU: run the load generator on that CPU only (through taskset).
      const child = process.env.BENCH_CLIENT_CPU
        ? childProcess.spawn(
            'taskset',
            ['-c', process.env.BENCH_CLIENT_CPU, clientNode].concat(clientArgs),
            {
              stdio: ['ignore', 'pipe', 'inherit'],
            },
          )
        : childProcess.spawn(clientNode, clientArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => {
        if (out === '' && String(d).startsWith('go\n')) stop = cpuMeter();
        out += d;
      });
      const killer = setTimeout(() => child.kill('SIGKILL'), maxMs + 10000);
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        clearTimeout(killer);
        const server = stop();
        let result;
        try {
          result = JSON.parse(out.trim().split('\n').pop());
        } catch (_e) {
          return reject(new Error(`client failed (${signal || code}): ${out}`));
        }
        if (!result.ok) return reject(new Error(`client: ${result.error}`));
        delete result.ok;
        delete result.scenario;
        result.serverCpuPerWall = round(server.cpuPerWall);
        result.serverCpuUsPerReq = round((server.cpuMs * 1000) / Math.max(1, result.completed), 1);
        resolve(result);
      });
    });

  return Promise.all([listen(fiberServer), listen(asyncServer)]).then(async (ports) => {
    const fiberPort = ports[0];
    const asyncPort = ports[1];
    await load(fiberPort, warmup);
    await load(asyncPort, warmup);
    const fiberRuns = [];
    const asyncRuns = [];
    for (let r = 0; r < reps; r++) {
      fiberRuns.push(await load(fiberPort, requests));
      asyncRuns.push(await load(asyncPort, requests));
    }
    fiberServer.close();
    asyncServer.close();
    const med = (runs, key) => median(runs.map((x) => x[key]));
    const fiberReqPerSec = Math.round(med(fiberRuns, 'reqPerSec'));
    const asyncReqPerSec = Math.round(med(asyncRuns, 'reqPerSec'));
    return {
      connections,
      requestsPerRun: requests,
      reps,
      fiberReqPerSec,
      asyncReqPerSec,
      ratio: round(fiberReqPerSec / asyncReqPerSec, 3),
      fiberReqPerSecRange: [
        Math.min.apply(
          null,
          fiberRuns.map((x) => x.reqPerSec),
        ),
        Math.max.apply(
          null,
          fiberRuns.map((x) => x.reqPerSec),
        ),
      ],
      asyncReqPerSecRange: [
        Math.min.apply(
          null,
          asyncRuns.map((x) => x.reqPerSec),
        ),
        Math.max.apply(
          null,
          asyncRuns.map((x) => x.reqPerSec),
        ),
      ],
      fiberServerCpuUsPerReq: round(med(fiberRuns, 'serverCpuUsPerReq'), 1),
      asyncServerCpuUsPerReq: round(med(asyncRuns, 'serverCpuUsPerReq'), 1),
      fiberServerCpuPerWall: round(med(fiberRuns, 'serverCpuPerWall')),
      asyncServerCpuPerWall: round(med(asyncRuns, 'serverCpuPerWall')),
      errors: fiberRuns.concat(asyncRuns).reduce((n, x) => n + x.errors, 0),
      fiberRuns,
      asyncRuns,
    };
  });
}

// The load generator (own process): `connections` keep-alive connections, `count` requests in
// all (or until maxMs), then it stops by itself.
function client() {
  const port = Number(process.argv[4]);
  const count = Number(process.argv[5]);
  const connections = Number(process.argv[6]);
  const maxMs = Number(process.argv[7]);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  return new Promise((resolve) => {
    let sent = 0;
    let completed = 0;
    let errors = 0;
    let active = 0;
    let deadlineHit = false;
    process.stdout.write('go\n');
    const stop = cpuMeter();
    const deadline = setTimeout(() => {
      deadlineHit = true;
    }, maxMs);
    const finish = () => {
      clearTimeout(deadline);
      const c = stop();
      agent.destroy();
      resolve({
        completed,
        errors,
        deadlineHit,
        elapsedMs: round(c.wallMs, 1),
        reqPerSec: Math.round(completed / (c.wallMs / 1000)),
        clientCpuPerWall: round(c.cpuPerWall),
      });
    };
    const next = () => {
      if (sent >= count || deadlineHit) {
        if (active === 0) finish();
        return;
      }
      sent++;
      active++;
      const req = http.request(
        { host: '127.0.0.1', port, path: `/item/${sent}`, agent, method: 'GET' },
        (res) => {
          let bytes = 0;
          res.on('data', (d) => {
            bytes += d.length;
          });
          res.on('end', () => {
            active--;
            if (res.statusCode === 200 && bytes > 0) completed++;
            else errors++;
            next();
          });
        },
      );
      req.on('error', () => {
        active--;
        errors++;
        next();
      });
      req.end();
    };
    for (let i = 0; i < connections; i++) next();
  });
}

const scenarios = {
  roundtrip,
  immediate: immediateScenario,
  turns,
  timer,
  live,
  rss,
  spawn,
  http: httpScenario,
  client,
};

function main() {
  const fn = scenarios[scenario];
  if (!fn) {
    console.log(JSON.stringify({ ok: false, error: `unknown scenario ${scenario}` }));
    process.exitCode = 2;
    return;
  }
  const info = scenario === 'client' ? {} : runtime();
  Promise.resolve()
    .then(fn)
    .then(
      (result) => {
        const cpu = process.cpuUsage();
        info.processCpuMs = round((cpu.user + cpu.system) / 1000, 1);
        console.log(JSON.stringify(Object.assign({ ok: true, scenario }, info, result)));
        // Fibers still suspended (or parked threads) must not keep the process alive.
        setImmediate(() => process.exit(0));
      },
      (error) => {
        console.log(JSON.stringify({ ok: false, scenario, error: String(error?.stack || error) }));
        setImmediate(() => process.exit(1));
      },
    );
}

main();
