'use strict';
// What recording a spawn site costs, per candidate way of recording it, without fibers: each
// candidate runs in the shape fiberscope's spawn() has (a helper that records the site for the
// next Fiber, called by spawn(), called by the application's function), many times, in rounds;
// the median round is printed, in ns per spawn.
//
//   node bench/spawn-sites.js [rounds] [iterations per round]
//   node bench/spawn-sites.js --stitch [errors per round]
//
// With --stitch, what the other side costs: a stitched error (a rejected wait() in a spawned
// fiber: its wait segment and its spawn segment) with each spawnSites mode, through fiberscope
// (npm run build first), and the first stitched error of a fresh process. BENCH_PRELOAD=mod1,mod2
// loads modules first.
//
// Candidates:
//   caller           Error.captureStackTrace of 1 frame below spawn() (stackTraceLimit 1)
//   caller-ctor      the same, below `new.target` inside a class constructor (new Fiber())
//   caller-deep      caller, from a function 30 frames deep
//   error-limit-1    new Error() with stackTraceLimit 1 (no frames skipped: the cheapest walk)
//   capture-limit-0  Error.captureStackTrace with stackTraceLimit 0: the call and the `stack`
//                    property alone, no frame
//   getCallSites     util.getCallSites(3) (Node 22.9+), which builds its objects at once
//   function         a reference to the spawned function, its location resolved only when a
//                    trace is formatted
//   weakref          a WeakRef to the spawned function
//   toString         the spawned function's source text (fn.toString()), as a cache key
//   cache-by-fn      caller, captured once per function object (a WeakMap): spawning the same
//                    function again costs a lookup, a new closure each time a capture and more
//   none             nothing recorded (what the loop itself costs)

const util = require('node:util');

const rounds = Number(process.argv[2] || 11);
const iterations = Number(process.argv[3] || 200000);

function median(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function captureBelow(above, frames) {
  const site = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = frames;
  try {
    Error.captureStackTrace(site, above);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return site;
}

const sitesByFunction = new WeakMap();

const recorders = {
  caller: (_fn, above) => captureBelow(above, 1),
  'error-limit-1': () => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 1;
    try {
      return new Error();
    } finally {
      Error.stackTraceLimit = limit;
    }
  },
  'capture-limit-0': (_fn, above) => captureBelow(above, 0),
  getCallSites: typeof util.getCallSites === 'function' ? () => util.getCallSites(3) : undefined,
  function: (fn) => ({ fn }),
  weakref: (fn) => new WeakRef(fn),
  toString: (fn) => ({ text: Function.prototype.toString.call(fn) }),
  'cache-by-fn': (fn, above) => {
    let site = sitesByFunction.get(fn);
    if (site === undefined) {
      site = captureBelow(above, 1);
      sitesByFunction.set(fn, site);
    }
    return site;
  },
  none: () => undefined,
};

// The shape of fiberscope's spawn(): spawn() -> a helper that records the site -> the record.
let kept;
function makeSpawn(record) {
  return function spawn(fn) {
    if (typeof fn !== 'function') throw new TypeError('spawn() expects a function');
    kept = { id: 1, name: '', site: record(fn, spawn) };
    return kept;
  };
}

// The same named function spawned each time (a worker loop), rather than a new closure.
function named() {}
function applicationNamed(spawn, n) {
  for (let i = 0; i < n; i++) spawn(named);
}

class FiberLike {
  constructor(fn) {
    if (typeof fn !== 'function') throw new TypeError('Fiber expects a function');
    this.site = captureBelow(new.target, 1);
  }
}

function application(spawn, n) {
  for (let i = 0; i < n; i++) {
    const value = i;
    spawn(() => value);
  }
}

function applicationCtor(n) {
  for (let i = 0; i < n; i++) {
    const value = i;
    kept = new FiberLike(() => value);
  }
}

function deep(depth, run) {
  return depth === 0 ? run() : deep(depth - 1, run) + 0;
}

function measure(run) {
  run(iterations); // warm-up: lets V8 optimize the loop and what it calls
  const perSpawn = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    run(iterations);
    perSpawn.push(Number(process.hrtime.bigint() - t0) / iterations);
  }
  return median(perSpawn);
}

if (process.argv[2] === '--stitch') {
  stitchCosts().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
} else {
  recordCosts();
}

function recordCosts() {
  const results = {};
  for (const [name, record] of Object.entries(recorders)) {
    if (record === undefined) continue;
    const spawn = makeSpawn(record);
    results[name] = measure((n) => application(spawn, n));
  }
  results['caller-ctor'] = measure((n) => applicationCtor(n));
  {
    const spawn = makeSpawn(recorders.caller);
    results['caller-deep'] = measure((n) => deep(30, () => application(spawn, n)));
    const cached = makeSpawn(recorders['cache-by-fn']);
    results['cache-by-fn, same fn'] = measure((n) => applicationNamed(cached, n));
  }

  console.log(`node ${process.version}, ${rounds} rounds of ${iterations}: ns per spawn (median)`);
  for (const [name, ns] of Object.entries(results)) {
    console.log(`  ${name.padEnd(22)} ${ns.toFixed(0).padStart(6)} ns`);
  }
}

// ---- --stitch: the cost of stitched errors ------------------------------------------------------

async function stitchCosts() {
  const childProcess = require('node:child_process');
  const errors = Number(process.argv[3] || 2000);
  for (const mod of (process.env.BENCH_PRELOAD || '').split(',').filter(Boolean)) require(mod);
  if (process.env.BENCH_FIRST_ERROR) return firstError(process.env.BENCH_FIRST_ERROR);
  const { spawn, wait } = require('fiberscope');
  const { configureStitching } = require('fiberscope/stitch');
  const failing = () => wait(Promise.reject(new Error('failed')));
  const once = {
    // a new closure per spawn: each one's position is looked up
    closure: () => spawn(() => wait(Promise.reject(new Error('failed')))),
    // the same function each time: looked up once
    'same function': () => spawn(failing),
  };
  const modes = ['function', 'caller', false];
  const perError = {};
  for (const [shape, run] of Object.entries(once)) {
    for (const mode of modes) {
      configureStitching({ spawnSites: mode });
      for (let i = 0; i < 200; i++) await run().catch((error) => error.stack);
      const rounds = [];
      for (let r = 0; r < 5; r++) {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < errors; i++) await run().catch((error) => error.stack);
        rounds.push(Number(process.hrtime.bigint() - t0) / errors / 1000);
      }
      perError[`${shape}, spawnSites ${mode}`] = median(rounds);
    }
  }
  console.log(
    `node ${process.version}: µs per stitched error, spawn and wait included (median of 5 x ${errors})`,
  );
  for (const [name, us] of Object.entries(perError)) {
    console.log(`  ${name.padEnd(36)} ${us.toFixed(1).padStart(7)} µs`);
  }
  console.log(
    'the first stitched error of a fresh process (ms), with BENCH_PRELOAD:',
    process.env.BENCH_PRELOAD || '-',
  );
  for (const mode of ['function', 'caller']) {
    const firsts = [];
    for (let r = 0; r < 3; r++) {
      const child = childProcess.spawnSync(process.execPath, [__filename, '--stitch'], {
        env: { ...process.env, BENCH_FIRST_ERROR: mode },
        encoding: 'utf8',
      });
      firsts.push(Number(child.stdout.trim()));
    }
    console.log(`  spawnSites ${mode.padEnd(26)} ${median(firsts).toFixed(1).padStart(7)} ms`);
  }
}

async function firstError(mode) {
  const { spawn, wait } = require('fiberscope');
  const { configureStitching } = require('fiberscope/stitch');
  configureStitching({ spawnSites: mode });
  const t0 = process.hrtime.bigint();
  await spawn(() => wait(Promise.reject(new Error('failed')))).catch((error) => error.stack);
  console.log(Number(process.hrtime.bigint() - t0) / 1e6);
}
