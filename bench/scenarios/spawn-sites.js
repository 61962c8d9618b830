'use strict';
const { fmt, ns } = require('../lib/format');

const PARTS = {
  record: () => require('./spawn-sites/record').record(),
  stitch: () => require('./spawn-sites/stitch').stitch(),
};

// The ways of recording a spawn site that record.js measures: [its key, its row].
const RECORDS = [
  ['function', 'record per spawn: a reference to the spawned function (the default)'],
  ['caller', "  … the caller's frame, Error.captureStackTrace of 1 frame ('caller')"],
  ['caller-ctor', '  … the same below new.target in a class constructor (new Fiber())'],
  ['caller-deep', '  … the same from a function 30 frames deep'],
  ['error-limit-1', '  … new Error() with stackTraceLimit 1'],
  ['capture-limit-0', '  … Error.captureStackTrace with stackTraceLimit 0 (no frame)'],
  ['getCallSites', '  … util.getCallSites(3) (Node 22.9+)'],
  ['weakref', '  … a WeakRef to the spawned function'],
  ['toString', "  … the spawned function's source text"],
  ['cache-by-fn', '  … the caller, captured once per function object (a new closure each time)'],
  ['cache-by-fn, same fn', '  … the same, spawning one function again and again'],
  ['none', '  … nothing recorded: the loop alone'],
];

// The stitched errors that stitch.js times: [its key, its row].
const STITCHED = [
  ['closure, function', 'a stitched error, a new closure each spawn: spawnSites function'],
  ['closure, caller', "  … spawnSites 'caller'"],
  ['closure, false', '  … spawnSites false (no spawn segment)'],
  ['same function, function', '  … the same function each spawn: spawnSites function'],
  ['same function, caller', "  … the same function each spawn: spawnSites 'caller'"],
  ['same function, false', '  … the same function each spawn: spawnSites false'],
];

module.exports = {
  title: 'Spawn-site records',
  about: `Each fiber records where it was spawned, for the "was spawned here" levels of stitched
stack traces. fiberscope records a reference to the spawned function, and asks V8 where that
function is defined (V8's \`Function\` API, no stack walk) only when a trace shows the level, once
per level; \`configureStitching({ spawnSites: 'caller' })\` captures the caller's frame at each
spawn instead, and \`false\` records nothing. This scenario weighs the two sides, on fiberscope
only:

- **The record**, without fibers: each candidate way of recording a site runs in the shape
  fiberscope's \`spawn()\` has (a helper that records the site, called by \`spawn()\`, called by the
  application's function), 11 rounds of 50,000 spawns (BENCH_SITES_ROUNDS, BENCH_SITES_N); the
  median round, in ns per spawn, the loop included (its last row is the loop alone).
- **The stitched error**, through fiberscope: a fiber spawned to wait on a rejected promise, its
  error's \`stack\` read, 5 rounds of 2,000 (BENCH_SITES_ERRORS) for each \`spawnSites\` mode, with
  a new closure each spawn (each one's definition looked up) and with the same function each
  time (looked up once); and the first stitched error of a fresh process (the median of three
  processes; BENCH_PRELOAD=mod1,mod2 loads modules first in each).

The default moves the cost from every spawn to the errors that show a spawn level.`,
  order: 120,
  limit: 180,
  fibers: false,
  parts: Object.keys(PARTS),
  measure: ({ part }) => PARTS[part](),
  table: {
    title: (_r, raw) => `spawn-site records (Node ${raw.node})`,
    columns: { user: 'measured' },
  },
  rows: RECORDS.map(([key, label]) => ({
    label,
    show: (r) => ns(r.record.ns[key]),
  }))
    .concat(
      STITCHED.map(([key, label]) => ({
        label,
        show: (r) => fmt(r.stitch.us[key], 1, 'µs'),
      })),
    )
    .concat([
      {
        label: 'the first stitched error of a fresh process: function / caller',
        show: (r) => `${fmt(r.stitch.firstMs.function, 1)} / ${fmt(r.stitch.firstMs.caller, 1)} ms`,
      },
    ]),
};
