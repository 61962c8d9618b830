// A few seconds of everything at once: fibers spawned inside AsyncLocalStorage stores that wait,
// fail, nest, yield, get reset, thrown into and abandoned, under garbage-collection pressure, with
// the profiler sampling and handing out chunks. A soak like this, run on Node 24, found the abort
// that native/runtime/async_context_gc.h prevents. The sequence is fixed (a seeded generator); the
// program is test/fiber/fixtures/soak.js.
import { describe, expect, it } from 'vitest';
import { asyncContextFrameFlag, runFixture } from '../helpers/child';

describe('a soak of mixed fiber work', () => {
  it('runs 4 s of it without a crash, a lost store or a wrong result', () => {
    const child = runFixture(new URL('./fixtures/soak.js', import.meta.url), {
      nodeArgs: ['--expose-gc', ...asyncContextFrameFlag],
      timeoutMs: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const result = JSON.parse(child.stdout);
    // A lost store, a wrong result or a crash fails inside the child; here, what ran.
    expect(result.storesChecked).toBeGreaterThan(result.rounds * 50 * 5 - 1);
    expect(result.caught).toBeGreaterThan(0);
    expect(result.samples).toBeGreaterThan(0);
    expect(result.storeOutside).toBeNull();
  }, 70_000);
});
