'use strict';
const { median, now, nsSince, round, timeout } = require('../lib/measure');
const { fiberHelpers } = require('../lib/fibers');
const { us } = require('../lib/format');

module.exports = {
  title: 'wait() on a 1 ms timer',
  about: `A fiber waits on a 1 ms \`setTimeout\` promise, and an async function awaits the same,
200 times each (BENCH_TIMER_N, after 20 to warm up), one by one in turn (fiber, async, fiber, …)
so that drift hits both alike; each fiber sample is timed inside the fiber, from just before its
wait to just after it returns. The medians: how much later a fiber wakes from a timer than an
async function would, the latency a fiber adds to a timed wait.`,
  order: 40,
  limit: 30,
  async measure({ Fiber }) {
    const n = Number(process.env.BENCH_TIMER_N || 200);
    const warm = 20;
    const { inFiber, waitFor } = fiberHelpers(Fiber);
    const fiberUs = [];
    const asyncUs = [];
    for (let i = 0; i < n + warm; i++) {
      const f = await inFiber(() => {
        const t0 = now();
        waitFor(timeout(1));
        return nsSince(t0) / 1000;
      });
      const t0 = now();
      await timeout(1);
      const a = nsSince(t0) / 1000;
      if (i >= warm) {
        fiberUs.push(f);
        asyncUs.push(a);
      }
    }
    const fm = median(fiberUs);
    const am = median(asyncUs);
    return {
      samples: n,
      fiberTimerUs: round(fm, 1),
      asyncTimerUs: round(am, 1),
      extraUs: round(fm - am, 1),
      medianPairDiffUs: round(median(fiberUs.map((v, i) => v - asyncUs[i])), 1),
    };
  },
  rows: [
    {
      label: 'wait() on a 1 ms timer: time to wake (median)',
      fiber: (at) => at('fiberTimerUs'),
      async: (at) => at('asyncTimerUs'),
      show: us(0),
      target: { max: 1.1 },
      summary: true,
    },
    {
      label: '  … later than async/await',
      fiber: (at) => at('extraUs'),
      show: us(1),
    },
  ],
};
