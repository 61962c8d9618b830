'use strict';
// The first stitched error of a fresh process, with spawnSites <mode>: prints its ms.
//   node bench/scenarios/spawn-sites/first-error.js function|caller

for (const mod of (process.env.BENCH_PRELOAD || '').split(',').filter(Boolean)) require(mod);
const { spawn, wait } = require('fiberscope');
const { configureStitching } = require('fiberscope/stitch');

configureStitching({ spawnSites: process.argv[2] });
const t0 = process.hrtime.bigint();
spawn(() => wait(Promise.reject(new Error('failed'))))
  .catch((error) => error.stack)
  .then(() => console.log(Number(process.hrtime.bigint() - t0) / 1e6));
