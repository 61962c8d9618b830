// A few seconds of everything at once: fibers spawned inside AsyncLocalStorage stores that wait,
// fail, nest, yield, get reset, thrown into and abandoned, under garbage-collection pressure, with
// the profiler sampling and handing out chunks. A soak like this, run on Node 24, found the abort
// that native/runtime/async_context_gc.h prevents. The sequence is fixed (a seeded generator).
import { describe, expect, it } from 'vitest';
import { asyncContextFrameFlag, runScript } from '../helpers/child';

const SOAK = `
  const { spawn, wait, sync, Fiber } = require('fiberscope');
  const Future = require('fiberscope/future');
  const { startProfiling } = require('fiberscope/profiler');
  const { AsyncLocalStorage, AsyncResource } = require('node:async_hooks');
  const als = new AsyncLocalStorage();
  let seed = 12345;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const echo = sync(async (x) => { await tick(); return x; });
  const abandoned = [];
  const counts = { ops: 0, caught: 0, storesChecked: 0 };
  function check(id) {
    if (als.getStore()?.id !== id) throw new Error('lost the store of ' + id);
    counts.storesChecked++;
  }
  function step(depth, id) {
    counts.ops++;
    const junk = Array.from({ length: rnd(300) }, (_, j) => ({ j }));
    switch (rnd(12)) {
      case 0: wait(tick()); break;
      case 1: try { wait(Promise.reject(new Error('x'))); } catch (e) { void e.stack; counts.caught++; } break;
      case 2: { const f = new Future(); setImmediate(() => f.return(1)); f.wait(); break; }
      case 3: if (depth < 3) { const child = spawn(() => step(depth + 1, id), { name: 'child' }); if (rnd(2)) wait(child); } break;
      case 4: new AsyncResource('soak').runInAsyncScope(() => wait(sleep(rnd(3)))); break;
      case 5: als.run({ id: -id }, () => { wait(tick()); check(-id); }); break;
      case 6: { const f = new Fiber(() => { Fiber.yield(1); Fiber.yield(2); return 3; }); f.run(); if (rnd(2)) { f.run(); f.run(); } else abandoned.push(f); break; }
      case 7: { const f = new Fiber(() => { try { Fiber.yield(); } finally { junk.length; } }); f.run(); f.reset(); break; }
      case 8: { const f = new Fiber(() => { try { Fiber.yield(); } catch { return 'caught'; } }); f.run(); if (f.throwInto(new Error('into')) === 'caught') counts.caught++; break; }
      case 9: if (rnd(4) === 0) globalThis.gc(); break;
      case 10: wait(sleep(rnd(2))); break;
      case 11: if (echo(id) !== id) throw new Error('sync() returned another value'); break;
    }
    check(id);
  }
  (async () => {
    const profiler = startProfiling({ intervalUs: 200 });
    const chunks = [];
    const taker = setInterval(() => chunks.push(profiler.takeChunk()), 250);
    const end = Date.now() + 4000;
    let rounds = 0;
    // At least four rounds, however slow the machine.
    while (Date.now() < end || rounds < 4) {
      rounds++;
      const fibers = Array.from({ length: 50 + rnd(150) }, (_, i) => {
        const id = rounds * 1000 + i + 1;
        return als.run({ id }, () => spawn(() => { for (let s = 0; s < 5; s++) step(0, id); return id; }, { name: 'r' + (i % 5) }));
      });
      const ids = await Promise.all(fibers);
      if (ids.some((id, i) => id !== rounds * 1000 + i + 1)) throw new Error('a fiber returned another id');
      if (abandoned.length > 200) abandoned.length = 0;
    }
    clearInterval(taker);
    chunks.push(profiler.stopChunk());
    const samples = chunks.reduce((sum, chunk) => sum + chunk.samples.length, 0);
    console.log(JSON.stringify({ rounds, ...counts, samples, storeOutside: als.getStore() ?? null }));
  })().catch((error) => { console.error(error); process.exit(1); });
`;

describe('a soak of mixed fiber work', () => {
  it('runs 4 s of it without a crash, a lost store or a wrong result', () => {
    const child = runScript(SOAK, {
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
