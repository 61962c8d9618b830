'use strict';
// What recording a spawn site costs, per candidate way of recording it, without fibers: each
// candidate runs in the shape fiberscope's spawn() has (a helper that records the site for the
// next fiber, called by spawn(), called by the application's function), many times, in rounds;
// the median round, in ns per spawn.

const util = require('node:util');
const { median } = require('../../lib/measure');

// fiberscope's own capture of the frames below a function (its spawnSites 'caller').
const { captureFrames: captureBelow } = require('../../../dist/stitch/capture.js');

const sitesByFunction = new WeakMap();

// (fn, above) → the record, for spawn(fn) called right below `above`.
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

function record() {
  const rounds = Number(process.env.BENCH_SITES_ROUNDS || 11);
  const iterations = Number(process.env.BENCH_SITES_N || 50000);
  const measure = (run) => {
    run(iterations); // warm-up: lets V8 optimize the loop and what it calls
    const perSpawn = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = process.hrtime.bigint();
      run(iterations);
      perSpawn.push(Number(process.hrtime.bigint() - t0) / iterations);
    }
    return median(perSpawn);
  };
  const ns = {};
  for (const [name, recorder] of Object.entries(recorders)) {
    if (recorder === undefined) continue;
    const spawn = makeSpawn(recorder);
    ns[name] = measure((n) => application(spawn, n));
  }
  ns['caller-ctor'] = measure((n) => applicationCtor(n));
  const caller = makeSpawn(recorders.caller);
  ns['caller-deep'] = measure((n) => deep(30, () => application(caller, n)));
  const cached = makeSpawn(recorders['cache-by-fn']);
  ns['cache-by-fn, same fn'] = measure((n) => applicationNamed(cached, n));
  return { record: { rounds, iterations, ns } };
}

module.exports = { record };
