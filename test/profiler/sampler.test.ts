// The native sampler at its edges: it never hangs or crashes, whatever the order of calls.
import { describe, expect, it } from 'vitest';
import { inChild } from '../helpers/profile';

describe('the native sampler', () => {
  // The sampler thread sleeps an interval at a time: stopping it used to wait for the sleep to
  // end (1,000 s here, through the raw binding; up to 1 s through startProfiling()).
  it('stops at once, whatever its interval', () => {
    const result = inChild(new URL('./fixtures/sampler-stops-at-once.js', import.meta.url));
    expect(result).toEqual({ samples: true });
  });

  // An interrupt V8 has queued can run after the sampler that asked for it was stopped and
  // freed: it finds the isolate's current sampler, if any. Before, it read the freed sampler. A
  // release build passes this on that code too (the next sampler reuses the freed block); the
  // AddressSanitizer run of .ci/run fails it there (heap-use-after-free in Sampler::OnInterrupt).
  it('survives hundreds of short profiles at its shortest interval, with fibers switching', () => {
    const result = inChild(new URL('./fixtures/sampler-short-profiles.js', import.meta.url));
    expect(result.withSamples).toBe(300);
  });

  // The sampler and the REPL's interrupt forwarding listen to the runtime's switches, and each
  // isolate's sampler and Ctrl-C watch go when its runtime does (native/runtime/listeners.h): the
  // sampler still sees fibers while forwarding goes on and off, and a worker that ends with all
  // three on takes them down with it (its watch is disarmed: another one can be armed).
  it('samples fibers while interrupt forwarding goes on and off, and goes with a worker', async () => {
    const result = inChild(new URL('./fixtures/sampler-forwarding.js', import.meta.url));
    expect(result).toEqual({ whileForwarding: true, afterForwarding: true, workerExit: 3 });
  });
});
