'use strict';
// Timing helpers for the scenarios' processes. Written for Node 14 too (node-fibers runs the same
// scenario code there): CommonJS, no logical assignment, no global `performance`.

const now = () => process.hrtime.bigint();
const nsSince = (t0) => Number(process.hrtime.bigint() - t0);

function median(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// [smallest, largest]
function range(values) {
  return [Math.min.apply(null, values), Math.max.apply(null, values)];
}

function round(x, digits) {
  const f = 10 ** (digits === undefined ? 3 : digits);
  return Math.round(x * f) / f;
}

// Process CPU time (all threads: user + system) over wall time, from now to stop().
function cpuMeter() {
  const cpu0 = process.cpuUsage();
  const t0 = now();
  return function stop() {
    const cpu = process.cpuUsage(cpu0);
    const wallNs = nsSince(t0);
    const cpuUs = cpu.user + cpu.system;
    return { wallMs: wallNs / 1e6, cpuMs: cpuUs / 1e3, cpuPerWall: (cpuUs * 1e3) / wallNs };
  };
}

// The process's CPU time (user + system, ms) so far.
function cpuNowMs() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

// A full collection (twice: what the first one frees can free more). Needs --expose-gc.
function gc() {
  if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');
  global.gc();
  global.gc();
}

// Busy work of a known length, measured on the monotonic clock.
function burnFor(ms) {
  const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  let x = 0;
  while (process.hrtime.bigint() < end) x++;
  return x;
}

const immediate = () => new Promise((resolve) => setImmediate(resolve));
const timeout = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = {
  burnFor,
  cpuMeter,
  cpuNowMs,
  gc,
  immediate,
  median,
  now,
  nsSince,
  range,
  round,
  timeout,
};
