'use strict';
const { gc, now, nsSince, round } = require('../lib/measure');
const { fiberHelpers } = require('../lib/fibers');
const { kb } = require('../lib/format');

// RSS growth in KB per item.
const kbPer = (before, after, count) => round((after - before) / 1024 / count, 2);

module.exports = {
  title: 'RSS per suspended fiber',
  about: `10,000 fibers (BENCH_RSS_FIBERS), each yielded once and held: the growth of the
process's resident memory (after a garbage collection) per fiber; next to it, 10,000 async
functions suspended on a pending promise.

A suspended fiber holds two touched stack pages (its frames, its thread's TLS and control
block), V8's per-thread handle block (8 KB, partly touched) and V8's archived thread state. In
user mode the park side lives at the top of the worker's own stack, the fiber's frames right
below it, and glibc's setxid handler runs on an alternate stack at the far end, so user mode
costs no more than kernel mode.`,
  order: 70,
  limit: 60,
  async measure({ Fiber }) {
    const count = Number(process.env.BENCH_RSS_FIBERS || 10000);
    // Warm up code paths (for fiberscope, the thread pool is not what is measured).
    fiberHelpers(Fiber).warmUp();
    gc();
    const rss0 = process.memoryUsage().rss;
    const t0 = now();
    const live = new Array(count);
    let finished = 0;
    for (let i = 0; i < count; i++) {
      const fiber = Fiber(() => {
        const got = Fiber.yield(i);
        if (got === i * 2) finished++;
      });
      const y = fiber.run();
      if (y !== i) throw new Error(`fiber ${i} yielded ${y}`);
      live[i] = fiber;
    }
    const spawnMs = nsSince(t0) / 1e6;
    gc();
    const rss1 = process.memoryUsage().rss;
    const t1 = now();
    for (let i = 0; i < count; i++) live[i].run(i * 2);
    const resumeMs = nsSince(t1) / 1e6;
    // async/await next to it: `count` async functions suspended on a pending promise.
    gc();
    const rssA0 = process.memoryUsage().rss;
    const resolvers = [];
    const pending = [];
    for (let i = 0; i < count; i++) {
      pending.push(
        (async () => {
          await new Promise((resolve) => resolvers.push(resolve));
          return i;
        })(),
      );
    }
    gc();
    const rssA1 = process.memoryUsage().rss;
    for (const r of resolvers) r();
    await Promise.all(pending);
    return {
      fibers: count,
      kbPerFiber: kbPer(rss0, rss1, count),
      rssBeforeMb: round(rss0 / 1048576, 1),
      rssWithFibersMb: round(rss1 / 1048576, 1),
      finished,
      allFinished: finished === count,
      spawnAndSuspendMs: round(spawnMs, 1),
      resumeAllMs: round(resumeMs, 1),
      asyncKbPerPending: kbPer(rssA0, rssA1, count),
    };
  },
  rows: [
    {
      label: 'RSS per suspended fiber (10,000 live)',
      fiber: (at) => at('kbPerFiber'),
      async: (at) => at('asyncKbPerPending'),
      show: kb,
      target: { max: 1.5 },
      summary: true,
    },
  ],
};
