'use strict';
const { cpuMeter, median, now, nsSince, round } = require('../lib/measure');
const { perSecond, us } = require('../lib/format');

module.exports = {
  title: 'spawn + finish',
  about: `Fibers that do nothing, started and run to their end one after another, 5,000 a round
(BENCH_SPAWN_N) after as many to warm the pool, 7 rounds (BENCH_SPAWN_REPS); the median round's
rate. This is what a fiber per request or per task costs beyond its work.

The row below it runs the same in user mode once more with no spawn-site record
(\`FIBERSCOPE_SPAWN_SITES=0\`) and gives the difference of the two rates as time per spawn: the
spawn-site record as the spawn path sees it. It is the difference of two noisy rates, which
swings by more than the record's own cost, either way; what the record costs alone is in
[spawn-site records](#spawn-site-records).`,
  order: 50,
  limit: 30,
  variants: ['noSpawnSites'],
  measure({ Fiber }) {
    const reps = Number(process.env.BENCH_SPAWN_REPS || 7);
    const n = Number(process.env.BENCH_SPAWN_N || 5000);
    const noop = () => {};
    for (let i = 0; i < n; i++) Fiber(noop).run(); // warm-up
    const rates = [];
    const stop = cpuMeter();
    for (let r = 0; r < reps; r++) {
      const t0 = now();
      for (let i = 0; i < n; i++) Fiber(noop).run();
      rates.push(n / (nsSince(t0) / 1e9));
    }
    const c = stop();
    return { perSecond: Math.round(median(rates)), cpuPerWall: round(c.cpuPerWall) };
  },
  rows: [
    {
      label: 'spawn + finish rate (warm pool)',
      fiber: (at) => at('perSecond'),
      show: perSecond,
      target: { min: 1, text: '≥ node-fibers' },
      summary: true,
    },
    {
      label: '  … spawn-site record per spawn',
      fiber: (at) => 1e6 / at('perSecond') - 1e6 / at('perSecond', 'noSpawnSites'),
      show: us(2),
    },
  ],
};
