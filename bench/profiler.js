'use strict';
// Profiler accuracy and cost, each figure measured side by side in one process
// (npm run bench runs each part in a node of its own: `node bench/profiler.js accuracy|overhead|memory`):
//  - accuracy: fibers burning known shares of CPU, each fiber's measured share against the truth;
//    a main-thread-only workload, top functions' self-time shares against V8's CpuProfiler (the
//    inspector's Profiler domain), both sampling the same run;
//  - overhead at the 1 ms interval: CPU time of the same work, profiled and not, in alternating
//    rounds; the part the sampler thread's own sleeping and waking takes; and V8's CpuProfiler's
//    overhead on a main-thread version of the work, for comparison;
//  - memory: what a capture keeps per sample, extrapolated to a 10-minute capture at 1 kHz.
// Prints one JSON line.

const fs = require('node:fs');
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

// Runs `fn` and adds the time it took, in ms on the monotonic clock, to `totals[name]`.
function timeInto(totals, name, fn) {
  const t0 = process.hrtime.bigint();
  fn();
  totals[name] += Number(process.hrtime.bigint() - t0) / 1e6;
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
            timeInto(truth, name, () => burnFor(ms));
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
  // About 10 s: each profiler's shares carry a sampling error of about 1/√samples (0.5 points
  // for 10,000 samples; the difference of two such estimates, 0.7). The time each function really
  // took tells, when the two profilers disagree, which one is off.
  const truth = { alpha: 0, beta: 0, gamma: 0 };
  for (let i = 0; i < 10000; i++) {
    timeInto(truth, 'alpha', alpha);
    timeInto(truth, 'beta', beta);
    timeInto(truth, 'gamma', gamma);
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
  let v8FromTruth = 0;
  let oursFromTruth = 0;
  for (const name of ['alpha', 'beta', 'gamma']) {
    rows[name] = {
      truth: share(truth, name),
      v8: share(selfV8, name),
      fiberscope: share(selfOurs, name),
    };
    maxError = Math.max(maxError, Math.abs(rows[name].v8 - rows[name].fiberscope));
    v8FromTruth = Math.max(v8FromTruth, Math.abs(rows[name].v8 - rows[name].truth));
    oursFromTruth = Math.max(oursFromTruth, Math.abs(rows[name].fiberscope - rows[name].truth));
  }
  return { shares: rows, maxErrorPoints: maxError, v8FromTruth, oursFromTruth };
}

// CPU time each thread of this process has run, in ms, by thread id (Linux).
function threadCpuMs() {
  const byThread = new Map();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const fields = fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ');
      byThread.set(tid, Number(fields[0]) / 1e6);
    } catch {
      // the thread ended
    }
  }
  return byThread;
}

const median = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1];
// Rounds alternate plain and profiled runs; each round's ratio compares two neighbouring runs, so
// that the machine's drift (this VM is shared) cancels out, and the median drops outlier rounds.
const ROUNDS = 15;
const pairedOverhead = (plain, profiled) =>
  100 * (median(profiled.map((cpu, i) => cpu / plain[i])) - 1);

// The same fixed work (not a fixed time) in fibers, with and without the profiler.
async function fiberOverhead() {
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
  await work();
  const runs = { plain: [], profiled: [], samplerThread: [], wakes: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['plain', 'profiled']) {
      const before = threadCpuMs();
      const profiler = mode === 'profiled' ? startProfiling({ intervalUs: 1000 }) : undefined;
      // The sampler's thread: the one startProfiling() started.
      const started = threadCpuMs();
      const samplerTids = [...started.keys()].filter((tid) => !before.has(tid));
      const c0 = cpuNow();
      await work();
      runs[mode].push(cpuNow() - c0);
      if (profiler) {
        const after = threadCpuMs();
        runs.samplerThread.push(
          samplerTids.reduce((sum, tid) => sum + (after.get(tid) ?? 0) - started.get(tid), 0),
        );
        // A wake asks for one sample; it comes with a GC or an idle sample beside it at times.
        const profile = profiler.stop();
        const special = (sample) => profile.frames[sample.stack[sample.stack.length - 1]].special;
        runs.wakes.push(
          profile.samples.filter((s) => special(s) !== 'gc' && special(s) !== 'idle').length,
        );
      }
    }
  }
  const plain = median(runs.plain);
  const samplerThread = median(runs.samplerThread);
  return {
    plainCpuMs: plain,
    profiledCpuMs: median(runs.profiled),
    overheadPercent: pairedOverhead(runs.plain, runs.profiled),
    samplerThreadPercent: (100 * samplerThread) / plain,
    samplerThreadUsPerWake: (1000 * samplerThread) / median(runs.wakes),
    rounds: runs.plain.length,
  };
}

// The same kind of work on the main thread alone: ours against V8's CpuProfiler at 1 ms.
async function mainThreadOverhead() {
  const work = async () => {
    let x = 0;
    for (let turn = 0; turn < 400; turn++) {
      for (let i = 0; i < 200000; i++) x += Math.sqrt(i);
      await tick();
    }
    return x;
  };
  const session = new inspector.Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 1000 });
  await work();
  const runs = { plain: [], v8: [], fiberscope: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['plain', 'v8', 'fiberscope']) {
      if (mode === 'v8') await post(session, 'Profiler.start');
      const profiler = mode === 'fiberscope' ? startProfiling({ intervalUs: 1000 }) : undefined;
      const c0 = cpuNow();
      await work();
      runs[mode].push(cpuNow() - c0);
      if (mode === 'v8') await post(session, 'Profiler.stop');
      profiler?.stop();
    }
  }
  session.disconnect();
  return {
    plainCpuMs: median(runs.plain),
    v8Percent: pairedOverhead(runs.plain, runs.v8),
    fiberscopePercent: pairedOverhead(runs.plain, runs.fiberscope),
  };
}

// Run in a fresh process: what the capture keeps, not what earlier parts left to the allocator.
// Memory is RSS after a GC, with the JS heap counted by what is live in it rather than by what V8
// has reserved (V8 resizes its young generation by megabytes, profiled or not). Taken 5 s into
// the capture, once the allocator's arenas have settled, and at its end 15 s later: the growth
// between the two, per sample, is what a further sample costs, with the waits and fibers of this
// workload that come with it.
async function memory() {
  const workload = async (ms) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      await spawn(() => {
        burnFor(5);
        wait(tick());
      });
    }
  };
  const keptAfterGc = () => {
    global.gc();
    const usage = process.memoryUsage();
    return usage.rss - usage.heapTotal + usage.heapUsed;
  };
  await workload(1000);
  const before = keptAfterGc();
  const t0 = performance.now();
  const profiler = startProfiling({ intervalUs: 1000 });
  await workload(5000);
  const early = keptAfterGc();
  const t1 = performance.now();
  await workload(15000);
  const late = keptAfterGc();
  const t2 = performance.now();
  const heapBefore = process.memoryUsage().heapUsed;
  const profile = profiler.stop();
  global.gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const samples = profile.samples.length;
  // Samples come at a steady rate: those of the last 15 s, by time.
  const lateSamples = (samples * (t2 - t1)) / (t2 - t0);
  const bytesPerSample = Math.max(0, late - early) / lateSamples;
  const tenMinutes =
    Math.max(0, early - before) + bytesPerSample * (600_000 - (samples - lateSamples));
  // The profile object stop() returns, in the JS heap.
  const modelBytesPerSample = Math.max(0, heapAfter - heapBefore) / samples;
  return {
    samples,
    fibers: profile.threads.length - 1,
    startMb: Math.max(0, early - before) / 1048576,
    bytesPerSample,
    tenMinutesMb: tenMinutes / 1048576,
    modelBytesPerSample,
    modelTenMinutesMb: (modelBytesPerSample * 600_000) / 1048576,
  };
}

const parts = {
  accuracy: async () => ({ knownShares: await knownShares(), againstV8: await againstV8() }),
  overhead: async () => ({
    overhead: await fiberOverhead(),
    mainThreadOverhead: await mainThreadOverhead(),
  }),
  memory: async () => ({ memory: await memory() }),
};

(async () => {
  const part = parts[process.argv[2]];
  if (part === undefined) {
    throw new Error(`usage: node --expose-gc bench/profiler.js ${Object.keys(parts).join('|')}`);
  }
  console.log(JSON.stringify(await part()));
  setImmediate(() => process.exit(0));
})().catch((error) => {
  console.log(JSON.stringify({ error: String(error?.stack || error) }));
  process.exit(1);
});
