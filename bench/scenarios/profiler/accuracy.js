'use strict';
// The profiler's accuracy: fibers burning known shares of CPU, each fiber's measured share
// against the truth; and a main-thread-only workload, its functions' self-time shares against
// V8's CpuProfiler sampling the same run, and both against the time each function really took.

const { spawn, wait } = require('fiberscope');
const { startProfiling } = require('fiberscope/profiler');
const { burnFor, immediate } = require('../../lib/measure');
const { v8Profiler } = require('./v8');

// Runs `fn` and adds the time it took, in ms on the monotonic clock, to `totals[name]`.
function timeInto(totals, name, fn) {
  const t0 = process.hrtime.bigint();
  fn();
  totals[name] += Number(process.hrtime.bigint() - t0) / 1e6;
}

// name's percentage of the values' total.
function share(values, name) {
  return (100 * (values[name] ?? 0)) / Object.values(values).reduce((a, b) => a + b, 0);
}

async function knownShares() {
  const plan = { a: 5, b: 3, c: 2 }; // ms of CPU per turn: 50 % / 30 % / 20 %
  const truth = { a: 0, b: 0, c: 0 };
  const profiler = startProfiling({ intervalUs: 1000 });
  const burner = (name, ms) => () => {
    for (let turn = 0; turn < 80; turn++) {
      timeInto(truth, name, () => burnFor(ms));
      wait(immediate());
    }
  };
  await Promise.all(Object.entries(plan).map(([name, ms]) => spawn(burner(name, ms), { name })));
  const profile = profiler.stop();
  const measured = {};
  for (const thread of profile.threads) {
    if (thread.name in plan) measured[thread.name] = thread.cpuMs;
  }
  let maxError = 0;
  const rows = {};
  for (const name of Object.keys(plan)) {
    rows[name] = { truth: share(truth, name), measured: share(measured, name) };
    maxError = Math.max(maxError, Math.abs(rows[name].truth - rows[name].measured));
  }
  return { shares: rows, maxErrorPoints: maxError };
}

// Three functions with distinct costs, on the main thread only, with durations that do not add up
// to a multiple of the sampling interval.
const NAMES = ['alpha', 'beta', 'gamma'];
function alpha() {
  return burnFor(0.53);
}
function beta() {
  return burnFor(0.31);
}
function gamma() {
  return burnFor(0.19);
}

// fiberscope's self time per function: burnFor is where the time is spent, charged to the named
// caller.
function fiberscopeSelf(profile) {
  const self = {};
  for (const sample of profile.samples) {
    const leaf = profile.frames[sample.stack[sample.stack.length - 1]];
    if (leaf.special) continue;
    const names = sample.stack.map((i) => profile.frames[i].functionName);
    const owner = names.find((name) => NAMES.includes(name));
    if (owner) self[owner] = (self[owner] ?? 0) + sample.weightUs;
  }
  return self;
}

// V8's self time per function, charged the same way.
function v8Self(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const ownerOf = (id) => {
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at).callFrame.functionName;
      if (NAMES.includes(name)) return name;
    }
    return undefined;
  };
  const self = {};
  profile.samples.forEach((id, i) => {
    const owner = ownerOf(id);
    const delta = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i];
    if (owner) self[owner] = (self[owner] ?? 0) + delta;
  });
  return self;
}

async function againstV8() {
  const v8 = await v8Profiler();
  await v8.start();
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
  const oursProfile = profiler.stop();
  const v8Profile = await v8.stop();
  v8.close();
  const ours = fiberscopeSelf(oursProfile);
  const theirs = v8Self(v8Profile);
  const rows = {};
  let maxError = 0;
  let v8FromTruth = 0;
  let oursFromTruth = 0;
  for (const name of NAMES) {
    const row = {
      truth: share(truth, name),
      v8: share(theirs, name),
      fiberscope: share(ours, name),
    };
    rows[name] = row;
    maxError = Math.max(maxError, Math.abs(row.v8 - row.fiberscope));
    v8FromTruth = Math.max(v8FromTruth, Math.abs(row.v8 - row.truth));
    oursFromTruth = Math.max(oursFromTruth, Math.abs(row.fiberscope - row.truth));
  }
  return { shares: rows, maxErrorPoints: maxError, v8FromTruth, oursFromTruth };
}

async function accuracy() {
  return { knownShares: await knownShares(), againstV8: await againstV8() };
}

module.exports = { accuracy };
