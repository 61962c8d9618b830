'use strict';
const { seconds } = require('../lib/format');

// The whole bench's CPU time in s: each run's figure `key`, over the runs every runtime makes.
function cpuSeconds(ctx, key) {
  if (ctx.cpuParts.length === 0) return undefined;
  const ms = ctx.cpuParts.reduce((total, [variant, s]) => total + ctx.read(s, key, variant), 0);
  return ms / 1000;
}

module.exports = {
  title: 'CPU of the whole bench',
  about: `Measures nothing of its own: the CPU time (user + system, all threads) of every process
of the side-by-side scenarios that each runtime runs, added up (the runs that only one runtime
makes are left out). It shows what fibers cost the machine, which a wall-clock figure hides when
threads burn CPU while others wait. The second row adds the CPU of what those processes started:
the HTTP load generators, which run on this machine's Node for every column.`,
  order: 75,
  rows: [
    {
      label: 'CPU of the whole bench (user + sys)',
      fiber: (_at, ctx) => cpuSeconds(ctx, 'processCpuMs'),
      show: seconds,
      target: { max: 1.5 },
      summary: true,
    },
    {
      label: '  … with the HTTP load generators',
      fiber: (_at, ctx) => cpuSeconds(ctx, 'treeCpuMs'),
      show: seconds,
    },
  ],
};
