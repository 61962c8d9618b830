'use strict';
const { gc, median, now, nsSince, round } = require('../lib/measure');
const { fiberHelpers } = require('../lib/fibers');
const { ms } = require('../lib/format');

module.exports = {
  title: '10,000 live fibers',
  about: `10,000 fibers (BENCH_LIVE_FIBERS), each started and suspended in its first yield, all
alive at once: the time to make them all, then the time to resume each to its end, over 3 rounds
(BENCH_LIVE_ROUNDS) with a garbage collection between them (not timed). The medians are a burst
that comes again while the pool still has its threads; the first round of a fresh process is
shown on its own, since it has to make every thread.

Each fiber is a thread: making 10,000 means 10,000 \`pthread_create()\` calls, about 30 µs each on
this VM in a plain C program, plus each new thread's first pages. The spare maker makes threads
on the other CPU while the spawning thread goes on, so its pace sets the floor of a first burst
on a 2-core machine; and V8 walks the stack of every suspended fiber at each full garbage
collection, of which the growing heap and the memory the addon reports to V8 for each fiber ask
several. Threads beyond \`Fiber.poolSize\` wait 2 s for a new fiber before they end, which is what
makes a burst that comes again soon cheaper. node-fibers made coroutines without threads.`,
  order: 60,
  limit: 120,
  measure({ Fiber }) {
    const count = Number(process.env.BENCH_LIVE_FIBERS || 10000);
    const rounds = Number(process.env.BENCH_LIVE_ROUNDS || 3);
    fiberHelpers(Fiber).warmUp();
    const makeMs = [];
    const finishMs = [];
    for (let r = 0; r < rounds; r++) {
      gc();
      const fibers = new Array(count);
      let finished = 0;
      const t0 = now();
      for (let i = 0; i < count; i++) {
        const fiber = Fiber(() => {
          Fiber.yield();
          finished++;
        });
        fiber.run();
        fibers[i] = fiber;
      }
      makeMs.push(nsSince(t0) / 1e6);
      const t1 = now();
      for (let i = 0; i < count; i++) fibers[i].run();
      finishMs.push(nsSince(t1) / 1e6);
      if (finished !== count)
        throw new Error(`round ${r}: ${finished} of ${count} fibers finished`);
    }
    return {
      fibers: count,
      rounds,
      makeMs: round(median(makeMs), 1),
      finishMs: round(median(finishMs), 1),
      firstMakeMs: round(makeMs[0], 1),
      firstFinishMs: round(finishMs[0], 1),
      makeMsAll: makeMs.map((v) => round(v, 1)),
      finishMsAll: finishMs.map((v) => round(v, 1)),
    };
  },
  rows: [
    {
      label: '10,000 live fibers: make them (median)',
      fiber: (at) => at('makeMs'),
      show: ms,
      target: { max: 2 },
      summary: true,
    },
    {
      label: '  … then finish them all',
      fiber: (at) => at('finishMs'),
      show: ms,
    },
    {
      label: '  … the first 10,000 of a fresh process',
      fiber: (at) => at('firstMakeMs'),
      show: ms,
      summary: true,
    },
  ],
};
