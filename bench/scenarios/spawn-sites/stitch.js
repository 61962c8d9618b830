'use strict';
// The other side of a spawn-site record: what a stitched error costs (a rejected wait() in a
// spawned fiber: its wait segment and its spawn segment, formatted), with each spawnSites mode,
// through fiberscope; and the first stitched error of a fresh process. BENCH_PRELOAD=mod1,mod2
// loads modules first.

const childProcess = require('node:child_process');
const path = require('node:path');
const { median } = require('../../lib/measure');

const firstErrorJs = path.join(__dirname, 'first-error.js');

async function perError(errors) {
  const { spawn, wait } = require('fiberscope');
  const { configureStitching } = require('fiberscope/stitch');
  const failing = () => wait(Promise.reject(new Error('failed')));
  const shapes = {
    // a new closure per spawn: each one's position is looked up
    closure: () => spawn(() => wait(Promise.reject(new Error('failed')))),
    // the same function each time: looked up once
    'same function': () => spawn(failing),
  };
  const us = {};
  for (const [shape, run] of Object.entries(shapes)) {
    for (const mode of ['function', 'caller', false]) {
      configureStitching({ spawnSites: mode });
      for (let i = 0; i < 200; i++) await run().catch((error) => error.stack);
      const rounds = [];
      for (let r = 0; r < 5; r++) {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < errors; i++) await run().catch((error) => error.stack);
        rounds.push(Number(process.hrtime.bigint() - t0) / errors / 1000);
      }
      us[`${shape}, ${mode}`] = median(rounds);
    }
  }
  return us;
}

// The first stitched error of a fresh process, in ms (the median of 3 processes).
function firstError(mode) {
  const firsts = [];
  for (let r = 0; r < 3; r++) {
    const child = childProcess.spawnSync(process.execPath, [firstErrorJs, mode], {
      encoding: 'utf8',
    });
    const ms = Number(child.stdout.trim());
    if (child.status !== 0 || Number.isNaN(ms)) {
      throw new Error(`first-error.js ${mode}: ${child.stderr || child.stdout}`);
    }
    firsts.push(ms);
  }
  return median(firsts);
}

async function stitch() {
  for (const mod of (process.env.BENCH_PRELOAD || '').split(',').filter(Boolean)) require(mod);
  const errors = Number(process.env.BENCH_SITES_ERRORS || 2000);
  return {
    stitch: {
      errors,
      preload: process.env.BENCH_PRELOAD || '',
      us: await perError(errors),
      firstMs: { function: firstError('function'), caller: firstError('caller') },
    },
  };
}

module.exports = { stitch };
