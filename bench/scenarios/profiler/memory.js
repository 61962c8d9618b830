'use strict';
// What a capture keeps, run in a process of its own so that it does not see what earlier parts
// left to the allocator. Memory is RSS after a GC, with the JS heap counted by what is live in it
// rather than by what V8 has reserved (V8 resizes its young generation by megabytes, profiled or
// not). Taken 5 s into the capture, once the allocator's arenas have settled, and at its end 15 s
// later: the growth between the two, per sample, is what a further sample costs, with the waits
// and fibers of this workload that come with it; extrapolated to a 10-minute capture at 1 kHz.

const { spawn, wait } = require('fiberscope');
const { startProfiling } = require('fiberscope/profiler');
const { burnFor, immediate } = require('../../lib/measure');

async function workload(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await spawn(() => {
      burnFor(5);
      wait(immediate());
    });
  }
}

function keptAfterGc() {
  global.gc();
  const usage = process.memoryUsage();
  return usage.rss - usage.heapTotal + usage.heapUsed;
}

async function memory() {
  await workload(1000);
  const before = keptAfterGc();
  const t0 = performance.now();
  const profiler = startProfiling({ intervalUs: 1000 });
  await workload(5000);
  const early = keptAfterGc();
  const t1 = performance.now();
  await workload(15000);
  const late = keptAfterGc();
  const t2 = performance.now();
  const heapBefore = process.memoryUsage().heapUsed;
  const profile = profiler.stop();
  global.gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const samples = profile.samples.length;
  // Samples come at a steady rate: those of the last 15 s, by time.
  const lateSamples = (samples * (t2 - t1)) / (t2 - t0);
  const bytesPerSample = Math.max(0, late - early) / lateSamples;
  const tenMinutes =
    Math.max(0, early - before) + bytesPerSample * (600_000 - (samples - lateSamples));
  // The profile object stop() returns, in the JS heap.
  const modelBytesPerSample = Math.max(0, heapAfter - heapBefore) / samples;
  return {
    memory: {
      samples,
      fibers: profile.threads.length - 1,
      startMb: Math.max(0, early - before) / 1048576,
      bytesPerSample,
      tenMinutesMb: tenMinutes / 1048576,
      modelBytesPerSample,
      modelTenMinutesMb: (modelBytesPerSample * 600_000) / 1048576,
    },
  };
}

module.exports = { memory };
