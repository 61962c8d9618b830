'use strict';
// The profiler's overhead at the 1 ms interval: the CPU time of the same fixed work (not a fixed
// time), profiled and not, in alternating rounds; the part the sampler thread's own sleeping and
// waking takes; and, on a main-thread version of the work, V8's CpuProfiler's overhead next to
// fiberscope's.

const fs = require('node:fs');
const { spawn, wait } = require('fiberscope');
const { startProfiling } = require('fiberscope/profiler');
const { cpuNowMs, immediate, median } = require('../../lib/measure');
const { v8Profiler } = require('./v8');

// Rounds alternate plain and profiled runs; each round's ratio compares two neighbouring runs, so
// that the machine's drift (this VM is shared) cancels out, and the median drops outlier rounds.
const ROUNDS = 15;
const pairedOverhead = (plain, profiled) =>
  100 * (median(profiled.map((cpu, i) => cpu / plain[i])) - 1);

// CPU time each thread of this process has run, in ms, by thread id (Linux).
function threadCpuMs() {
  const byThread = new Map();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const fields = fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ');
      byThread.set(tid, Number(fields[0]) / 1e6);
    } catch {
      // the thread ended
    }
  }
  return byThread;
}

// The samples a profile took at the sampler's wakes: a wake asks for one sample; it comes with a
// GC or an idle sample beside it at times.
function wakes(profile) {
  const special = (sample) => profile.frames[sample.stack[sample.stack.length - 1]].special;
  return profile.samples.filter((s) => special(s) !== 'gc' && special(s) !== 'idle').length;
}

async function fiberOverhead() {
  const work = () =>
    Promise.all(
      [0, 1, 2, 3].map(() =>
        spawn(() => {
          let x = 0;
          for (let turn = 0; turn < 200; turn++) {
            for (let i = 0; i < 200000; i++) x += Math.sqrt(i);
            wait(immediate());
          }
          return x;
        }),
      ),
    );
  await work();
  const runs = { plain: [], profiled: [], samplerThread: [], wakes: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['plain', 'profiled']) {
      const before = threadCpuMs();
      const profiler = mode === 'profiled' ? startProfiling({ intervalUs: 1000 }) : undefined;
      // The sampler's thread: the one startProfiling() started.
      const started = threadCpuMs();
      const samplerTids = [...started.keys()].filter((tid) => !before.has(tid));
      const c0 = cpuNowMs();
      await work();
      runs[mode].push(cpuNowMs() - c0);
      if (profiler) {
        const after = threadCpuMs();
        runs.samplerThread.push(
          samplerTids.reduce((sum, tid) => sum + (after.get(tid) ?? 0) - started.get(tid), 0),
        );
        runs.wakes.push(wakes(profiler.stop()));
      }
    }
  }
  const plain = median(runs.plain);
  const samplerThread = median(runs.samplerThread);
  return {
    plainCpuMs: plain,
    profiledCpuMs: median(runs.profiled),
    overheadPercent: pairedOverhead(runs.plain, runs.profiled),
    samplerThreadPercent: (100 * samplerThread) / plain,
    samplerThreadUsPerWake: (1000 * samplerThread) / median(runs.wakes),
    rounds: runs.plain.length,
  };
}

// The same kind of work on the main thread alone: ours against V8's CpuProfiler at 1 ms.
async function mainThreadOverhead() {
  const work = async () => {
    let x = 0;
    for (let turn = 0; turn < 400; turn++) {
      for (let i = 0; i < 200000; i++) x += Math.sqrt(i);
      await immediate();
    }
    return x;
  };
  const v8 = await v8Profiler();
  await work();
  const runs = { plain: [], v8: [], fiberscope: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['plain', 'v8', 'fiberscope']) {
      if (mode === 'v8') await v8.start();
      const profiler = mode === 'fiberscope' ? startProfiling({ intervalUs: 1000 }) : undefined;
      const c0 = cpuNowMs();
      await work();
      runs[mode].push(cpuNowMs() - c0);
      if (mode === 'v8') await v8.stop();
      profiler?.stop();
    }
  }
  v8.close();
  return {
    plainCpuMs: median(runs.plain),
    v8Percent: pairedOverhead(runs.plain, runs.v8),
    fiberscopePercent: pairedOverhead(runs.plain, runs.fiberscope),
  };
}

async function overhead() {
  return { overhead: await fiberOverhead(), mainThreadOverhead: await mainThreadOverhead() };
}

module.exports = { overhead };
