'use strict';
const { cpuMeter, immediate, median, now, nsSince, round } = require('../lib/measure');
const { fiberHelpers } = require('../lib/fibers');
const { us } = require('../lib/format');

module.exports = {
  title: 'wait() on a setImmediate promise',
  about: `One fiber waits, 10,000 times in a batch (BENCH_IMM_N), on a promise that a
\`setImmediate\` resolves, the way a node-fibers user waits for a promise (\`promise.then()\` resumes
the fiber, which yields meanwhile); next to it, in the same process, an async function awaits the
same promise, batch for batch (7 of each, BENCH_IMM_REPS; medians). Each wait is a full trip
through the event loop, so this is the cost of a fiber's wait in code that does I/O. On fiberscope
the same batch runs once more with its own \`wait()\`.`,
  order: 20,
  limit: 30,
  async measure({ Fiber, lib }) {
    const reps = Number(process.env.BENCH_IMM_REPS || 7);
    const n = Number(process.env.BENCH_IMM_N || 10000);
    const { inFiber, waitFor } = fiberHelpers(Fiber);
    // n waits in a fiber, through `waitOne`: the time per wait.
    const fiberBatch = (waitOne) => () =>
      inFiber(() => {
        const t0 = now();
        for (let i = 0; i < n; i++) waitOne(immediate());
        return nsSince(t0) / n;
      });
    const asyncBatch = async () => {
      const t0 = now();
      for (let i = 0; i < n; i++) await immediate();
      return nsSince(t0) / n;
    };
    const nodeFibersBatch = fiberBatch(waitFor);
    const nativeBatch = lib === 'fiberscope' ? fiberBatch(require('fiberscope').wait) : null;
    await nodeFibersBatch();
    await asyncBatch();
    if (nativeBatch) await nativeBatch();
    // The time per wait of each batch, and CPU and wall time in all.
    const styles = {};
    for (const style of ['fiber', 'async']) styles[style] = { ns: [], cpuMs: 0, wallMs: 0 };
    const timed = async (style, batch) => {
      const stop = cpuMeter();
      styles[style].ns.push(await batch());
      const c = stop();
      styles[style].cpuMs += c.cpuMs;
      styles[style].wallMs += c.wallMs;
    };
    const nativeNs = [];
    for (let r = 0; r < reps; r++) {
      await timed('fiber', nodeFibersBatch);
      await timed('async', asyncBatch);
      if (nativeBatch) nativeNs.push(await nativeBatch());
    }
    const out = {
      fiberWaitUs: round(median(styles.fiber.ns) / 1000),
      asyncAwaitUs: round(median(styles.async.ns) / 1000),
      fiberCpuPerWall: round(styles.fiber.cpuMs / styles.fiber.wallMs),
      asyncCpuPerWall: round(styles.async.cpuMs / styles.async.wallMs),
    };
    out.ratio = round(out.fiberWaitUs / out.asyncAwaitUs, 2);
    if (nativeBatch) out.nativeWaitUs = round(median(nativeNs) / 1000);
    return out;
  },
  rows: [
    {
      label: 'wait() on a setImmediate promise, 1 fiber',
      fiber: (at) => at('fiberWaitUs'),
      async: (at) => at('asyncAwaitUs'),
      show: us(2),
      target: { max: 1 },
      summary: true,
    },
    {
      label: "  … with fiberscope's own wait()",
      fiber: (at) => at('nativeWaitUs'),
      show: us(2),
    },
  ],
};
