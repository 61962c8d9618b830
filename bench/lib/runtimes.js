'use strict';
// The runtimes the fiber scenarios run on (one column each) and the variants: the ways a
// scenario runs once more, which a scenario names in its `variants`.

const childProcess = require('node:child_process');
const os = require('node:os');
const { fibersPath, node14 } = require('./baseline');

// Both fiberscope modes are set explicitly, so that a FIBERSCOPE_SWITCH or FIBERSCOPE_PIN_THREADS
// in the caller's environment changes nothing; a run that reports another switch mode than asked
// for fails. The node-fibers column needs the baseline.
function runtimes(baselineOk) {
  const list = [
    {
      key: 'user',
      label: 'fiberscope user mode',
      node: process.execPath,
      lib: 'fiberscope',
      mode: 'user',
      env: { FIBERSCOPE_SWITCH: 'user', FIBERSCOPE_PIN_THREADS: '1' },
    },
    {
      key: 'kernel',
      label: 'fiberscope kernel mode',
      node: process.execPath,
      lib: 'fiberscope',
      mode: 'kernel',
      env: { FIBERSCOPE_SWITCH: 'kernel', FIBERSCOPE_PIN_THREADS: '1' },
    },
  ];
  if (baselineOk) {
    list.push({
      key: 'nodeFibers',
      label: 'node-fibers 5.0.3',
      node: node14,
      lib: 'fibers',
      env: {},
    });
  }
  // Every scenario finds node-fibers there, and its load generators run on this node whichever
  // node serves.
  for (const runtime of list) {
    runtime.env.BENCH_FIBERS_PATH = fibersPath;
    runtime.env.BENCH_CLIENT_NODE = process.execPath;
  }
  return list;
}

// Whether the server and the load generator can be put on CPUs of their own.
function canSplit() {
  if (os.cpus().length < 2 || process.env.BENCH_NO_SPLIT === '1') return false;
  const probe = childProcess.spawnSync('taskset', ['-c', '1', 'true'], { timeout: 5000 });
  return probe.status === 0;
}

// key -> { runtimes (all when absent), wrap, env, available() }
const VARIANTS = {
  // With a fixed placement: the server process on CPU 0, the load generator on CPU 1. With free
  // placement the result depends on whether the scheduler happens to put client and server on one
  // CPU (cheap wake-ups) or on two (a cross-CPU wake per hand-off).
  split: {
    wrap: ['taskset', '-c', '0'],
    env: { BENCH_CLIENT_CPU: '1' },
    available: canSplit,
  },
  // What the stack stitcher's spawn-site record costs: user mode without it.
  noSpawnSites: {
    runtimes: ['user'],
    env: { FIBERSCOPE_SPAWN_SITES: '0' },
  },
};

module.exports = { runtimes, VARIANTS };
