'use strict';
// A scenario's process: runs what bench/scenarios/<scenario>.js measures, once.
//
//   node --expose-gc bench/lib/child.js <lib> <scenario> [part]
//     lib: fiberscope | fibers (node-fibers, loaded from $BENCH_FIBERS_PATH)
//
// Prints exactly one JSON line on stdout: {"ok":true, ...results} (or {"ok":false,"error":...}).
// Every result also says how much CPU its process used in all (processCpuMs: user + system, all
// threads, from the process's start to the result), which the whole-bench CPU row adds up, and,
// on fiberscope, the switch mode it ran in. Written for Node 14 too.

const path = require('node:path');
const { round } = require('./measure');

const lib = process.argv[2];
const scenario = process.argv[3];
const part = process.argv[4];

let fiber;
function loadFiber() {
  if (fiber === undefined) {
    if (lib === 'fiberscope') fiber = require('fiberscope/fibers');
    else if (lib === 'fibers') fiber = require(process.env.BENCH_FIBERS_PATH || 'fibers');
    else throw new Error(`unknown lib ${lib}`);
  }
  return fiber;
}

// What ran: the node, the fiber library and, on fiberscope, its switch mode.
function runtimeInfo() {
  const info = { node: process.version, lib };
  if (lib === 'fiberscope') {
    const { Fiber } = require('fiberscope');
    info.switchMode = Fiber.switchMode;
    if (Fiber.switchModeReason) info.switchModeReason = Fiber.switchModeReason;
    info.pinThreads = Fiber.switchMode === 'kernel' && Fiber.pinThreads;
  }
  return info;
}

function main() {
  const spec = require(path.join(__dirname, '..', 'scenarios', `${scenario}.js`));
  // The fiber library is loaded before the work starts, where the scenario runs fibers.
  const ctx = {
    lib,
    part,
    get Fiber() {
      return loadFiber();
    },
  };
  if (spec.fibers !== false) loadFiber();
  const info = spec.fibers === false ? {} : runtimeInfo();
  Promise.resolve()
    .then(() => spec.measure(ctx))
    .then(
      (result) => {
        const cpu = process.cpuUsage();
        if (spec.fibers === false && lib === 'fiberscope') Object.assign(info, runtimeInfo());
        info.processCpuMs = round((cpu.user + cpu.system) / 1000, 1);
        console.log(JSON.stringify(Object.assign({ ok: true, scenario }, info, result)));
        // Fibers still suspended (or parked threads) must not keep the process alive.
        setImmediate(() => process.exit(0));
      },
      (error) => {
        const text = String(error?.stack || error);
        console.log(JSON.stringify({ ok: false, scenario, error: text }));
        setImmediate(() => process.exit(1));
      },
    );
}

main();
