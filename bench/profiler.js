'use strict';
// Profiler accuracy and cost, measured side by side in one process (npm run bench runs it):
//  - fibers burning known shares of CPU: each fiber's measured share against the truth;
//  - a main-thread-only workload: top functions' self-time shares against V8's CpuProfiler
//    (the inspector's Profiler domain), both sampling the same run;
//  - overhead at the 1 ms interval: CPU time of the same work, profiled and not;
//  - memory: bytes kept per sample, extrapolated to a 10-minute capture at 1 kHz.
// Prints one JSON line.

const inspector = require('node:inspector');
const { spawn, wait } = require('fiberscope');
const { startProfiling } = require('fiberscope/profiler');

const tick = () => new Promise((resolve) => setImmediate(resolve));
const cpuNow = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

// Busy work of a known length, measured on the monotonic clock.
function burnFor(ms) {
  const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  let x = 0;
  while (process.hrtime.bigint() < end) x++;
  return x;
}

async function knownShares() {
  const plan = { a: 5, b: 3, c: 2 }; // ms of CPU per turn: 50 % / 30 % / 20 %
  const truth = { a: 0, b: 0, c: 0 };
  const profiler = startProfiling({ intervalUs: 1000 });
  await Promise.all(
    Object.entries(plan).map(([name, ms]) =>
      spawn(
        () => {
          for (let turn = 0; turn < 80; turn++) {
            const t0 = process.hrtime.bigint();
            burnFor(ms);
            truth[name] += Number(process.hrtime.bigint() - t0) / 1e6;
            wait(tick());
          }
        },
        { name },
      ),
    ),
  );
  const profile = profiler.stop();
  const measured = {};
  for (const thread of profile.threads)
    if (thread.name in plan) measured[thread.name] = thread.cpuMs;
  const total = (values) => Object.values(values).reduce((a, b) => a + b, 0);
  const share = (values, name) => (100 * values[name]) / total(values);
  let maxError = 0;
  const rows = {};
  for (const name of Object.keys(plan)) {
    rows[name] = { truth: share(truth, name), measured: share(measured, name) };
    maxError = Math.max(maxError, Math.abs(rows[name].truth - rows[name].measured));
  }
  return { shares: rows, maxErrorPoints: maxError };
}

function post(session, method, params) {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

// Three functions with distinct costs, on the main thread only.
// Durations that do not add up to a multiple of the sampling interval.
function alpha() {
  return burnFor(0.53);
}
function beta() {
  return burnFor(0.31);
}
function gamma() {
  return burnFor(0.19);
}

async function againstV8() {
  const session = new inspector.Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 1000 });
  await post(session, 'Profiler.start');
  const profiler = startProfiling({ intervalUs: 1000 });
  for (let i = 0; i < 1000; i++) {
    alpha();
    beta();
    gamma();
  }
  const ours = profiler.stop();
  const { profile: v8 } = await post(session, 'Profiler.stop');
  session.disconnect();

  const selfOurs = {};
  for (const sample of ours.samples) {
    const leaf = ours.frames[sample.stack[sample.stack.length - 1]];
    if (leaf.special) continue;
    // burnFor is where the time is spent: charge it to the named caller.
    const names = sample.stack.map((i) => ours.frames[i].functionName);
    const owner = names.find((name) => name === 'alpha' || name === 'beta' || name === 'gamma');
    if (owner) selfOurs[owner] = (selfOurs[owner] ?? 0) + sample.weightUs;
  }
  const selfV8 = {};
  const byId = new Map(v8.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of v8.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const ownerOf = (id) => {
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at).callFrame.functionName;
      if (name === 'alpha' || name === 'beta' || name === 'gamma') return name;
    }
    return undefined;
  };
  v8.samples.forEach((id, i) => {
    const owner = ownerOf(id);
    if (owner) selfV8[owner] = (selfV8[owner] ?? 0) + (v8.timeDeltas[i + 1] ?? v8.timeDeltas[i]);
  });
  const share = (values, name) =>
    (100 * (values[name] ?? 0)) / Object.values(values).reduce((a, b) => a + b, 0);
  const rows = {};
  let maxError = 0;
  for (const name of ['alpha', 'beta', 'gamma']) {
    rows[name] = { v8: share(selfV8, name), fiberscope: share(selfOurs, name) };
    maxError = Math.max(maxError, Math.abs(rows[name].v8 - rows[name].fiberscope));
  }
  return { shares: rows, maxErrorPoints: maxError };
}

// The same fixed work (not a fixed time) in fibers, with and without the profiler.
async function overhead() {
  const work = () =>
    Promise.all(
      [0, 1, 2, 3].map(() =>
        spawn(() => {
          let x = 0;
          for (let turn = 0; turn < 200; turn++) {
            for (let i = 0; i < 200000; i++) x += Math.sqrt(i);
            wait(tick());
          }
          return x;
        }),
      ),
    );
  const runs = { plain: [], profiled: [] };
  for (let round = 0; round < 5; round++) {
    for (const mode of ['plain', 'profiled']) {
      const profiler = mode === 'profiled' ? startProfiling({ intervalUs: 1000 }) : undefined;
      const c0 = cpuNow();
      await work();
      runs[mode].push(cpuNow() - c0);
      profiler?.stop();
    }
  }
  const median = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1];
  const plain = median(runs.plain);
  const profiled = median(runs.profiled);
  return {
    plainCpuMs: plain,
    profiledCpuMs: profiled,
    overheadPercent: (100 * (profiled - plain)) / plain,
  };
}

async function memory() {
  global.gc?.();
  const before = process.memoryUsage().rss;
  const profiler = startProfiling({ intervalUs: 1000 });
  const end = Date.now() + 3000;
  while (Date.now() < end) {
    await spawn(() => {
      burnFor(5);
      wait(tick());
    });
  }
  // What the profiler keeps, not the garbage the workload (and each wait's stack capture) left.
  global.gc?.();
  const during = process.memoryUsage().rss;
  const profile = profiler.stop();
  const samples = profile.samples.length;
  const bytesPerSample = Math.max(0, during - before) / Math.max(samples, 1);
  return {
    samples,
    bytesPerSample,
    tenMinutesMb: (bytesPerSample * 600_000) / 1048576,
  };
}

(async () => {
  const result = {
    knownShares: await knownShares(),
    againstV8: await againstV8(),
    overhead: await overhead(),
    memory: await memory(),
  };
  console.log(JSON.stringify(result));
  setImmediate(() => process.exit(0));
})().catch((error) => {
  console.log(JSON.stringify({ error: String(error?.stack || error) }));
  process.exit(1);
});
