'use strict';
const { cpuMeter, median, now, nsSince, round } = require('../lib/measure');
const { times, us } = require('../lib/format');

module.exports = {
  title: 'run()/yield() round trip',
  about: `The main thread resumes a fiber that yields straight back, in batches of 20,000 round
trips (BENCH_RT_BATCHES, BENCH_RT_N); the median batch's time per round trip. This is the bare
cost of a switch, in and out, with no event loop in between. Process CPU over wall time during the
batches shows that nothing spins while it waits: a switch that left a thread spinning would show
above 1.

No kernel context switch happens per round trip in user mode: \`test/fiber/switch.test.ts\` counts
the main thread's context switches in \`/proc\` across 100,000 round trips (a handful, from the
timer tick, against one or more per round trip in kernel mode). What a user-mode round trip still
costs is mostly V8's lock hand-off (archiving and restoring the thread's V8 state, where V8 also
walks the stack for its debugger); on Node 20 and 22 \`run()\` also carries Node's async id stack
across the switch (Node 24 and 26 keep it in V8, where the addon swaps it).`,
  order: 10,
  limit: 30,
  measure({ Fiber }) {
    const batches = Number(process.env.BENCH_RT_BATCHES || 20);
    const perBatch = Number(process.env.BENCH_RT_N || 20000);
    const fiber = Fiber(() => {
      for (;;) Fiber.yield();
    });
    for (let i = 0; i < perBatch; i++) fiber.run(); // warm-up
    const perRound = [];
    const stop = cpuMeter();
    for (let b = 0; b < batches; b++) {
      const t0 = now();
      for (let i = 0; i < perBatch; i++) fiber.run();
      perRound.push(nsSince(t0) / perBatch);
    }
    const cpu = stop();
    return {
      roundTripNs: round(median(perRound), 1),
      roundTripNsMin: round(Math.min.apply(null, perRound), 1),
      roundTripNsMax: round(Math.max.apply(null, perRound), 1),
      cpuPerWall: round(cpu.cpuPerWall),
      roundTrips: batches * perBatch,
    };
  },
  rows: [
    {
      label: 'run()/yield() round trip (median)',
      fiber: (at) => at('roundTripNs') / 1000,
      show: us(2),
      target: { max: 1 },
      summary: true,
    },
    {
      label: '  process CPU / wall (round trip)',
      fiber: (at) => at('cpuPerWall'),
      show: times,
    },
  ],
};
