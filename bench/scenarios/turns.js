'use strict';
const { cpuMeter, immediate, median, round } = require('../lib/measure');
const { fiberHelpers } = require('../lib/fibers');
const { times, us } = require('../lib/format');

module.exports = {
  title: '32 fibers taking turns',
  about: `32 fibers (BENCH_TURNS_FIBERS) each wait 1,000 times (BENCH_TURNS_M) on a
\`setImmediate\` promise, all at once, so that the event loop resumes them in turn; next to it 32
async functions do the same, round for round (5 rounds each, BENCH_TURNS_REPS; medians). The
time per wait is the wall time of a round over all its waits: with many fibers ready at once,
what one switch to the next fiber costs in a busy server. Process CPU over wall time shows
whether threads burn CPU while others run (kernel mode hands off between threads).`,
  order: 30,
  limit: 40,
  async measure({ Fiber }) {
    const fibers = Number(process.env.BENCH_TURNS_FIBERS || 32);
    const m = Number(process.env.BENCH_TURNS_M || 1000);
    const reps = Number(process.env.BENCH_TURNS_REPS || 5);
    const { inFiber, waitFor } = fiberHelpers(Fiber);
    const waits = () => {
      for (let i = 0; i < m; i++) waitFor(immediate());
    };
    const awaits = async () => {
      for (let i = 0; i < m; i++) await immediate();
    };
    // All `fibers` of one style at once.
    const fiberRound = () => Promise.all(Array.from({ length: fibers }, () => inFiber(waits)));
    const asyncRound = () => Promise.all(Array.from({ length: fibers }, awaits));
    const measure = async (oneRound) => {
      const stop = cpuMeter();
      await oneRound();
      const c = stop();
      return { us: (c.wallMs * 1000) / (fibers * m), cpuPerWall: c.cpuPerWall };
    };
    await measure(fiberRound);
    await measure(asyncRound);
    const fiberRes = [];
    const asyncRes = [];
    for (let r = 0; r < reps; r++) {
      fiberRes.push(await measure(fiberRound));
      asyncRes.push(await measure(asyncRound));
    }
    const med = (res, key) => round(median(res.map((x) => x[key])));
    return {
      fibers,
      waitsPerFiber: m,
      fiberWaitUs: med(fiberRes, 'us'),
      fiberCpuPerWall: med(fiberRes, 'cpuPerWall'),
      asyncAwaitUs: med(asyncRes, 'us'),
      asyncCpuPerWall: med(asyncRes, 'cpuPerWall'),
    };
  },
  rows: [
    {
      label: '32 fibers taking turns: time per wait()',
      fiber: (at) => at('fiberWaitUs'),
      async: (at) => at('asyncAwaitUs'),
      show: us(2),
      target: { max: 1 },
      summary: true,
    },
    {
      label: '  process CPU / wall (32 fibers)',
      fiber: (at) => at('fiberCpuPerWall'),
      async: (at) => at('asyncCpuPerWall'),
      show: times,
    },
  ],
};
