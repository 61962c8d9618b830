'use strict';
const PARTS = {
  accuracy: () => require('./profiler/accuracy').accuracy(),
  overhead: () => require('./profiler/overhead').overhead(),
  memory: () => require('./profiler/memory').memory(),
  floor: () => require('./profiler/timer-floor').timerFloor(),
};

const pct = (v) => `${v.toFixed(1)} %`;
const pts = (v) => `${v.toFixed(1)} points`;
const perTick = (us) => `${us.toFixed(1)} µs (${(us / 10).toFixed(1)} % at 1 kHz)`;
// "name a/b, …" from rows of shares.
const shares = (rows, a, b) =>
  Object.entries(rows)
    .map(([name, row]) => `${name} ${row[a].toFixed(1)}/${row[b].toFixed(1)}`)
    .join(', ');

// An accuracy figure's rows: its largest error in points against the target, then the shares
// it compares (a/b %, named `names`).
function accuracyRows(key, label, maxPoints, [a, b], names) {
  return [
    {
      label,
      show: (r) => pts(r[key].maxErrorPoints),
      target: `≤ ${maxPoints} points`,
      ok: (r) => r[key].maxErrorPoints <= maxPoints,
    },
    { label: `  … ${names} %`, show: (r) => shares(r[key].shares, a, b) },
  ];
}

module.exports = {
  title: 'Profiler',
  about: `The sampling profiler (\`fiberscope/profiler\`) at its 1 ms interval, on fiberscope
only, each part in a process of its own (bench/scenarios/profiler/):

- **Accuracy.** Three fibers burn known shares of CPU (50 / 30 / 20 %, timed on the monotonic
  clock), and each fiber's measured share is compared with the truth. Then a main-thread-only
  workload of about 10 s (three functions of distinct lengths that do not add up to a multiple
  of the interval) is sampled by V8's own CpuProfiler (the inspector's Profiler domain) and by
  fiberscope in the same run: the largest difference of a function's self-time share. Each share
  carries a sampling error of about 1/√samples (0.5 points for 10,000 samples; the difference of
  two such estimates, 0.7), so the time each function really took is measured too: when the two
  profilers disagree, it tells which one is off.
- **Overhead.** The CPU time of the same fixed work in four fibers, profiled and not, in 15
  alternating rounds; each round's ratio compares two neighbouring runs, so that the drift of
  this shared VM cancels out, and the median drops outlier rounds. The sampler thread's own CPU
  (read from \`/proc\`) is the part its sleeping and waking takes. The same kind of work on the
  main thread alone gives V8's CpuProfiler's overhead next to fiberscope's.
- **The floor.** The overhead's floor is the timer: \`timer-floor.c\` (C, no V8) runs fixed
  arithmetic alone, beside a thread that sleeps 1 ms and wakes in a loop (how fiberscope's and
  V8's samplers are woken), and with a POSIX timer signal every 1 ms to the busy thread instead;
  the extra CPU per tick is what any 1 kHz sampler pays, V8's own included, and the signal is no
  cheaper. What the profiler adds on top of that (the interrupt, V8's stack capture, the
  timeline) is the rest of the overhead row.
- **Memory.** RSS after a GC, with the JS heap counted by what is live in it, 5 s into a capture
  and at its end 15 s later: the growth per sample, with that workload's waits and fibers,
  extrapolated to a 10-minute capture at 1 kHz, against the cap the API states. What a sample
  keeps by design is in [the profiling guide](guides/profiling.md); the last row is the
  \`FiberProfile\` that \`stop()\` builds, in the JavaScript heap.

Wait sites are stack captures taken for waits of at least an interval and at most once an
interval: on a wait-heavy workload they were 1 % of the CPU when every long wait took one.`,
  order: 100,
  limit: 180,
  fibers: false,
  parts: Object.keys(PARTS),
  measure: ({ part }) => PARTS[part](),
  table: {
    title: (_r, raw) => `profiler (Node ${raw.node})`,
    columns: { user: 'measured' },
  },
  rows: [
    ...accuracyRows(
      'knownShares',
      'fibers burning known CPU shares: worst error',
      2,
      ['truth', 'measured'],
      'truth/measured',
    ),
    ...accuracyRows(
      'againstV8',
      'main thread only: self-time shares vs V8 CpuProfiler',
      3,
      ['v8', 'fiberscope'],
      'V8/fiberscope',
    ),
    {
      label: '  … largest distance from the measured truth: V8 / fiberscope',
      show: (r) => `${pts(r.againstV8.v8FromTruth)} / ${pts(r.againstV8.oursFromTruth)}`,
    },
    {
      label: 'overhead at 1 ms (CPU of the same fiber work, 15 rounds)',
      show: (r) => pct(r.overhead.overheadPercent),
      target: '≤ 2 %',
      ok: (r) => r.overhead.overheadPercent <= 2,
      summary: 'profiler overhead at 1 ms (CPU of the same fiber work)',
    },
    {
      label: '  … of which the sampler thread sleeping and waking',
      show: (r) =>
        `${pct(r.overhead.samplerThreadPercent)} ` +
        `(${r.overhead.samplerThreadUsPerWake.toFixed(1)} µs a wake)`,
    },
    {
      label: '  … a 1 kHz tick alone (C, no V8): sleeping thread / timer signal',
      show: ({ timerFloor: floor }) =>
        floor.error
          ? `not measured: ${floor.error.trim()}`
          : `${perTick(floor.sleepingThreadUsPerTick)} / ${perTick(floor.timerSignalUsPerTick)}`,
      target: 'floor',
    },
    {
      label: '  … main-thread work: V8 CpuProfiler / fiberscope',
      show: (r) =>
        `${pct(r.mainThreadOverhead.v8Percent)} / ${pct(r.mainThreadOverhead.fiberscopePercent)}`,
      target: 'baseline',
    },
    {
      label: 'capture memory per sample (RSS) → 10 min at 1 kHz',
      show: (r) =>
        `${Math.round(r.memory.bytesPerSample)} B → ${r.memory.tenMinutesMb.toFixed(0)} MB`,
      target: '≤ 64 MB (stated cap)',
      ok: (r) => r.memory.tenMinutesMb <= 64,
    },
    {
      label: '  … the profile stop() returns (JS heap)',
      show: (r) =>
        `${Math.round(r.memory.modelBytesPerSample)} B a sample → ` +
        `${r.memory.modelTenMinutesMb.toFixed(0)} MB`,
    },
  ],
};
