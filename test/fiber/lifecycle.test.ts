// Fibers in a whole process: garbage collection of suspended fibers, exit, worker threads.
// Each case runs in a child process so that it owns its heap, threads and exit code.
import { describe, expect, it } from 'vitest';
import { type ChildResult, runScript } from '../helpers/child';

describe('a suspended fiber that becomes unreachable', () => {
  it('is unwound when collected: finally blocks run and its thread goes back to the pool', () => {
    const child = runScript(
      `
      const { Fiber } = require('fiberscope');
      const log = [];
      function abandon(i) {
        new Fiber(() => {
          try { Fiber.yield(); log.push('after yield ' + i); }
          finally { log.push('finally ' + i); }
        }).run();
      }
      for (let i = 0; i < 3; i++) abandon(i);
      const threads = Fiber.fibersCreated;
      globalThis.gc();
      setImmediate(() => setImmediate(() => {
        console.log(JSON.stringify(log.sort()));
        // Three new fibers run on the three threads the unwound ones gave back.
        for (let i = 0; i < 3; i++) new Fiber(() => Fiber.yield()).run();
        console.log(JSON.stringify({ newThreads: Fiber.fibersCreated - threads }));
      }));
      `,
      { nodeArgs: ['--expose-gc'] },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout.trim().split('\n')).toEqual([
      '["finally 0","finally 1","finally 2"]',
      '{"newThreads":0}',
    ]);
  });

  it('reports an exception thrown while it is unwound as uncaught', () => {
    const child = runScript(
      `
      const { Fiber } = require('fiberscope');
      new Fiber(() => {
        try { Fiber.yield(); } finally { throw new Error('thrown from finally'); }
      }).run();
      globalThis.gc();
      setTimeout(() => console.log('still running'), 200);
      `,
      { nodeArgs: ['--expose-gc'] },
    );
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('Error: thrown from finally');
    expect(child.stdout).toBe('');
  });

  // Left to itself, V8 lets ~1,000 abandoned fibers pile up before it collects them (each is
  // charged to the heap as external memory), more than the pool keeps: most cycles then pay for a
  // new thread, and each collection walks a thousand suspended stacks (170-600 us a cycle here,
  // minutes for a million). So most cycles collect every 100 fibers, young ones, on threads the
  // pool keeps; shorter runs cover V8 collecting on its own, and threads that exit.
  it('keeps RSS flat over a million spawn/abandon cycles', () => {
    const child = runScript(
      `
      const { Fiber } = require('fiberscope');
      let unwound = 0, live = 0, peakLive = 0;
      const abandon = () => new Fiber(() => {
        peakLive = Math.max(peakLive, ++live);
        try { Fiber.yield(); } finally { live--; unwound++; }
      }).run();
      const tick = () => new Promise((resolve) => setImmediate(resolve));
      // collectEvery 0: only V8 decides when to collect.
      async function cycles(count, collectEvery) {
        for (let i = 1; i <= count; i++) {
          abandon();
          if (collectEvery && i % collectEvery === 0) { globalThis.gc({ type: 'minor' }); await tick(); }
          else if (i % 10_000 === 0) await tick();
        }
        globalThis.gc(); await tick(); await tick();
      }
      (async () => {
        // Warm-up: the heap, the pool and malloc's arenas (a thousand threads at once) settle.
        await cycles(80_000, 100);
        await cycles(15_000, 0);
        await cycles(5_000, 100);
        const rssAfterWarmup = process.memoryUsage().rss;
        const threadsBefore = Fiber.fibersCreated;
        await cycles(875_000, 100);
        const newThreadsWhilePooled = Fiber.fibersCreated - threadsBefore;
        peakLive = 0;
        await cycles(15_000, 0);
        const peakLiveUncollected = peakLive;
        Fiber.poolSize = 0;
        const threadsBeforeExits = Fiber.fibersCreated;
        await cycles(10_000, 100);
        const threadsMadeAndExited = Fiber.fibersCreated - threadsBeforeExits;
        const growthMb = (process.memoryUsage().rss - rssAfterWarmup) / 1048576;
        console.log(JSON.stringify({
          unwound, live, newThreadsWhilePooled, peakLiveUncollected, threadsMadeAndExited,
          growthMb: Math.round(growthMb * 10) / 10,
        }));
      })();
      `,
      { nodeArgs: ['--expose-gc'], timeoutMs: 240_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const result = JSON.parse(child.stdout);
    expect(result.unwound).toBe(1_000_000);
    expect(result.live).toBe(0);
    // Unwound fibers hand their threads back: 875,000 fibers ran on threads the warm-up made.
    expect(result.newThreadsWhilePooled).toBeLessThan(1_000);
    // Without gc() calls V8 still collects abandoned fibers (15,000 would pile up otherwise).
    expect(result.peakLiveUncollected).toBeLessThan(5_000);
    expect(result.threadsMadeAndExited).toBe(10_000);
    // 900,000 cycles after warm-up, on pooled threads, on a thousand new threads at once, and on
    // threads that exit, may not grow RSS by more than a few MB of heap noise.
    expect(result.growthMb).toBeLessThan(16);
  }, 250_000);
});

describe('a fiber whose function refers to the fiber', () => {
  it('is collected once unreachable: finished, never started, and spawn()ed', () => {
    const child = runScript(
      `
      const { Fiber, spawn, wait } = require('fiberscope');
      const refs = { finished: [], idle: [], spawned: [] };
      for (let i = 0; i < 200; i++) {
        const finished = new Fiber(() => finished.id);
        finished.run();
        refs.finished.push(new WeakRef(finished));
        const idle = new Fiber(() => idle.id);
        refs.idle.push(new WeakRef(idle));
      }
      const tick = () => new Promise((resolve) => setImmediate(resolve));
      (async () => {
        for (let i = 0; i < 200; i++) {
          await spawn(() => { refs.spawned.push(new WeakRef(Fiber.current)); wait(tick()); });
        }
        await tick();
        globalThis.gc();
        await tick();
        const alive = {};
        for (const [kind, list] of Object.entries(refs)) {
          alive[kind] = list.filter((ref) => ref.deref() !== undefined).length;
        }
        console.log(JSON.stringify(alive));
      })();
      `,
      { nodeArgs: ['--expose-gc'] },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ finished: 0, idle: 0, spawned: 0 });
  });
});

describe('process.exit()', () => {
  const suspendedFibers = `
    const { Fiber, spawn, wait } = require('fiberscope');
    for (let i = 0; i < 20; i++) new Fiber(() => Fiber.yield()).run();
    for (let i = 0; i < 20; i++) spawn(() => wait(new Promise(() => {})));
    process.on('exit', (code) => console.log('exit event ' + code));
  `;

  it('outside a fiber exits at once with suspended fibers around', () => {
    const child = runScript(`${suspendedFibers}
      setTimeout(() => process.exit(3), 10);
      setTimeout(() => console.log('not reached'), 5000);
    `);
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('exit event 3\n');
    expect(child.status).toBe(3);
  });

  it('inside a fiber exits at once with suspended fibers around', () => {
    const child = runScript(`${suspendedFibers}
      setTimeout(() => spawn(() => { wait(Promise.resolve()); process.exit(4); }), 10);
      setTimeout(() => console.log('not reached'), 5000);
    `);
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('exit event 4\n');
    expect(child.status).toBe(4);
  });

  it('a process whose loop ends with suspended fibers exits normally', () => {
    const child = runScript(`${suspendedFibers}
      console.log('main done');
    `);
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('main done\nexit event 0\n');
    expect(child.status).toBe(0);
  });

  it('an uncaught exception inside a fiber ends the process with the error', () => {
    const child = runScript(`
      const { spawn, wait } = require('fiberscope');
      const { Fiber } = require('fiberscope');
      new Fiber(() => { wait(new Promise((r) => setTimeout(r, 5))); throw new Error('escaped the fiber'); }).run();
    `);
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('Error: escaped the fiber');
  });
});

/** The child exited by itself with code 0, printed `stdout` and nothing on stderr. */
function expectCleanExit(child: ChildResult, stdout: string): void {
  const { status, signal, stderr } = child;
  expect({ status, signal, stderr, stdout: child.stdout }).toEqual({
    status: 0,
    signal: null,
    stderr: '',
    stdout,
  });
}

describe('worker_threads', () => {
  it('loads in workers, runs fibers there, and stops workers that have suspended fibers', () => {
    const child = runScript(`
      const { Worker } = require('node:worker_threads');
      const source = \`
        const { parentPort } = require('node:worker_threads');
        const { Fiber, spawn, wait } = require('fiberscope');
        for (let i = 0; i < 5; i++) new Fiber(() => Fiber.yield()).run();
        spawn(() => wait(new Promise((r) => setTimeout(() => r(21), 5))) * 2)
          .then((value) => parentPort.postMessage(value));
      \`;
      (async () => {
        const results = [];
        for (let round = 0; round < 6; round++) {
          const worker = new Worker(source, { eval: true });
          // Listened for from the start: a worker that ends on its own may be gone by the message.
          const exited = new Promise((resolve) => worker.once('exit', resolve));
          results.push(await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); }));
          // Half of them are terminated while fibers are suspended, half end on their own.
          if (round % 2 === 0) await worker.terminate();
          else await exited;
        }
        console.log(JSON.stringify(results));
      })();
    `);
    expectCleanExit(child, '[42,42,42,42,42,42]\n');
  });

  // Terminate() resumes each suspended fiber to end it; V8 acts on the termination at its next
  // interrupt check, and a call into the addon has none: a fiber calling the raw yield in a loop
  // suspended again, and the worker freed it under its parked thread (a segfault on Node 24).
  it('terminates workers whose fibers yield through the raw binding in a loop', () => {
    const child = runScript(`
      const { Worker } = require('node:worker_threads');
      const source = \`
        const b = require(\${JSON.stringify(require.resolve('./build/Release/fiberscope.node'))});
        const fibers = [];
        for (let i = 0; i < 10; i++) fibers.push(new b.Fiber(() => { for (;;) b.yield(i); }));
        require('node:worker_threads').parentPort.postMessage('go');
        for (;;) for (const fiber of fibers) fiber.run();
      \`;
      (async () => {
        const codes = [];
        for (let i = 0; i < 10; i++) {
          const worker = new Worker(source, { eval: true });
          await new Promise((resolve) => worker.once('message', resolve));
          await new Promise((resolve) => setTimeout(resolve, (i % 3) * 10));
          codes.push(await worker.terminate());
        }
        console.log(JSON.stringify(codes));
      })();
    `);
    expectCleanExit(child, `${JSON.stringify(Array(10).fill(1))}\n`);
  });

  // The first fiber of a process starts libuv's thread pool with a request on its loop; with the
  // pool busy, that request is still queued when such a worker ends, and Node aborted closing
  // its loop ("uv_loop_close() while having open handles").
  it('ends a worker right after its first fiber while the libuv pool is busy', () => {
    const child = runScript(
      `
      const { Worker } = require('node:worker_threads');
      const { pbkdf2 } = require('node:crypto');
      for (let i = 0; i < 4; i++) pbkdf2('x', 'y', 3e6, 32, 'sha256', () => {});
      const worker = new Worker(
        "const { Fiber } = require('fiberscope'); new Fiber(() => 1).run(); process.exit(7);",
        { eval: true },
      );
      worker.once('exit', (code) => { console.log('worker exit', code); process.exit(0); });
    `,
      // Exiting waits for the four hashes, ~20 s under AddressSanitizer.
      { timeoutMs: 90_000 },
    );
    expectCleanExit(child, 'worker exit 7\n');
  }, 100_000);
});

describe('when the system has no thread left', () => {
  it('fibers, the sampler and the Ctrl-C watch say so with an error, and the process goes on', (context) => {
    const child = runScript(
      `
      console.log('started');
      const { Fiber } = require('fiberscope');
      const { binding } = require('./dist/fiber/native.js');
      const fibers = [];
      let failure;
      for (let i = 0; i < 100_000 && failure === undefined; i++) {
        const fiber = new Fiber(() => Fiber.yield());
        try { fiber.run(); fibers.push(fiber); } catch (error) { failure = error.message; }
      }
      const attempt = (fn) => { try { fn(); return 'ok'; } catch (error) { return error.message; } };
      console.log(JSON.stringify({
        some: fibers.length > 100,
        failure,
        sampler: attempt(() => binding.startSampling(1000, 8)),
        watch: attempt(() => binding.watchSigint(fibers[0])),
      }));
      `,
      // Each fiber's thread reserves its stack: ~1,500-5,000 fibers fit in 4 GB. Spare threads
      // made ahead (user mode) could take the last of it from V8's heap, which then ends the
      // process (out of memory), a moment before a fiber would have been refused its thread.
      {
        addressSpaceKb: 4_000_000,
        timeoutMs: 60_000,
        env: { FIBERSCOPE_SPARE_THREADS: '0' },
      },
    );
    if (!child.stdout.startsWith('started\n')) {
      // A Node build that reserves more than 4 GB up front (a V8 sandbox) cannot start here.
      console.warn(
        `skipping the thread exhaustion test: node does not start under ulimit -v 4 GB (${child.stderr.split('\n')[0]})`,
      );
      context.skip();
    }
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const result = JSON.parse(child.stdout.slice('started\n'.length));
    expect(result.some).toBe(true);
    expect(result.failure).toMatch(/^could not create a thread for the fiber: /);
    expect(result.sampler).toMatch(/^could not start the sampler thread: /);
    expect(result.watch).toMatch(/^could not start the Ctrl-C watch thread: /);
  }, 70_000);
});
