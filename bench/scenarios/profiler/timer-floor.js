'use strict';
// What a 1 kHz tick costs with no V8 at all (timer-floor.c, built into bench/.cache with the C
// compiler node-gyp uses, $CC or cc): the floor under any sampler's overhead at 1 ms,
// fiberscope's and V8's alike. A floor that cannot be measured is said in its row, and does not
// fail the profiler scenario.

const childProcess = require('node:child_process');
const path = require('node:path');
const { lastJsonLine } = require('../../lib/runner');

const binary = path.join(__dirname, '..', '..', '.cache', 'timer-floor');

function measureFloor() {
  const build = childProcess.spawnSync(
    process.env.CC || 'cc',
    ['-O2', '-o', binary, path.join(__dirname, 'timer-floor.c'), '-lpthread'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (build.status !== 0) {
    return { error: `cannot build: ${build.stderr || build.error || `exit code ${build.status}`}` };
  }
  const run = childProcess.spawnSync(binary, [], { encoding: 'utf8', timeout: 120_000 });
  const result = lastJsonLine(run.stdout || '');
  if (typeof result?.sleepingThreadUsPerTick === 'number') return result;
  return { error: `unexpected output: ${run.stdout || run.stderr || run.error}` };
}

async function timerFloor() {
  return { timerFloor: measureFloor() };
}

module.exports = { timerFloor };
