// The native sampler at its edges: it never hangs or crashes, whatever the order of calls.
import { describe, expect, it } from 'vitest';
import { inChild } from '../helpers/profile';

describe('the native sampler', () => {
  // The sampler thread sleeps an interval at a time: stopping it used to wait for the sleep to
  // end (1,000 s here, through the raw binding; up to 1 s through startProfiling()).
  it('stops at once, whatever its interval', () => {
    const result = inChild(`
      const { binding } = require('./dist/fiber/native.js');
      binding.startSampling(1e9, 8);
      burn(50);
      const chunk = binding.stopSampling();
      // The time since the start is charged to the caller when it stops.
      console.log(JSON.stringify({ samples: chunk.samples.length > 0 }));
    `);
    expect(result).toEqual({ samples: true });
  });

  // An interrupt V8 has queued can run after the sampler that asked for it was stopped and
  // freed: it finds the isolate's current sampler, if any. Before, it read the freed sampler. A
  // release build passes this on that code too (the next sampler reuses the freed block); the
  // AddressSanitizer run of .ci/run fails it there (heap-use-after-free in Sampler::OnInterrupt).
  it('survives hundreds of short profiles at its shortest interval, with fibers switching', () => {
    const result = inChild(`
      let withSamples = 0;
      for (let round = 0; round < 300; round++) {
        const profiler = startProfiling({ intervalUs: 50 });
        const fiber = new Fiber(() => { for (let i = 0; i < 20; i++) { let x = 0; for (let j = 0; j < 2e4; j++) x += j; Fiber.yield(x); } });
        for (let i = 0; i < 21; i++) fiber.run();
        if (profiler.stop().samples.length > 0) withSamples++;
      }
      console.log(JSON.stringify({ withSamples }));
    `);
    expect(result.withSamples).toBe(300);
  });

  // The sampler and the REPL's interrupt forwarding listen to the runtime's switches, and each
  // isolate's sampler and Ctrl-C watch go when its runtime does (native/runtime/listeners.h): the
  // sampler still sees fibers while forwarding goes on and off, and a worker that ends with all
  // three on takes them down with it (its watch is disarmed: another one can be armed).
  it('samples fibers while interrupt forwarding goes on and off, and goes with a worker', async () => {
    const result = inChild(`
      const { Worker } = require('node:worker_threads');
      const { binding } = require('./dist/fiber/native.js');
      const fiberSamples = (chunk) => {
        let count = 0;
        for (let i = 2; i < chunk.samples.length; i += 5) if (chunk.samples[i] !== 0) count++;
        return count;
      };
      const runBusyFiber = () => {
        const fiber = new Fiber(() => { for (let i = 0; i < 20; i++) { burn(2); Fiber.yield(); } });
        for (let i = 0; i < 21; i++) fiber.run();
      };
      binding.startSampling(200, 8);
      binding.forwardInterrupts(true);
      runBusyFiber();
      const whileForwarding = fiberSamples(binding.takeSamples()) > 0;
      binding.forwardInterrupts(false);
      runBusyFiber();
      const afterForwarding = fiberSamples(binding.stopSampling()) > 0;
      const source = [
        "const { Fiber } = require('fiberscope');",
        'const { binding } = require(' + JSON.stringify(require.resolve('./dist/fiber/native.js')) + ');',
        'binding.startSampling(200, 8);',
        'binding.forwardInterrupts(true);',
        'const fiber = new Fiber(() => { for (;;) Fiber.yield(); });',
        'binding.watchSigint(fiber);',
        'for (let i = 0; i < 100; i++) fiber.run();',
        'process.exit(3);',
      ].join(' ');
      const workerExit = await new Promise((resolve) => new Worker(source, { eval: true }).once('exit', resolve));
      const watch = new Fiber(() => {});
      binding.watchSigint(watch);
      binding.unwatchSigint();
      console.log(JSON.stringify({ whileForwarding, afterForwarding, workerExit }));
    `);
    expect(result).toEqual({ whileForwarding: true, afterForwarding: true, workerExit: 3 });
  });
});
