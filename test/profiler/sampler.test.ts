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
});
