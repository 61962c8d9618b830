// Node facilities used from inside fibers: child processes, timers, process.title,
// AsyncLocalStorage and AsyncResource.

import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';
import { execFile, execFileSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { Fiber, spawn, wait } from 'fiberscope';
import { describe, expect, it } from 'vitest';
import { asyncContextFrameFlag, runFixture } from '../helpers/child';

/** A program of test/fiber/fixtures. */
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

describe('Node facilities inside fibers', () => {
  it('child_process: synchronous and asynchronous', async () => {
    const result = await spawn(() => {
      const sync = execFileSync(process.execPath, ['-e', 'process.stdout.write("sync")'], {
        encoding: 'utf8',
      });
      const async = wait(
        new Promise<string>((resolve, reject) =>
          execFile(process.execPath, ['-e', 'process.stdout.write("async")'], (error, stdout) =>
            error ? reject(error) : resolve(stdout),
          ),
        ),
      );
      return [sync, async];
    });
    expect(result).toEqual(['sync', 'async']);
  });

  it('timers set inside a fiber fire, and waiting on them suspends only the fiber', async () => {
    const events: string[] = [];
    const done = spawn(() => {
      setTimeout(() => events.push('timer set in fiber fired'), 5);
      wait(delay(20));
      events.push('fiber resumed');
    });
    events.push('main continues');
    await done;
    expect(events).toEqual(['main continues', 'timer set in fiber fired', 'fiber resumed']);
  });

  it('process.title can be read and set inside a fiber', () => {
    const child = runFixture(fixture('process-title-in-fiber.js'));
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('string fiberscope-title-test\nfiberscope-title-test\n');
  });
});

describe('AsyncLocalStorage', () => {
  it('a fiber sees the store active where it was spawned, at start and after waits', async () => {
    const als = new AsyncLocalStorage<string>();
    const seen = await als.run('spawn site', () =>
      spawn(() => {
        const atStart = als.getStore();
        wait(delay(1));
        const afterTimer = als.getStore();
        wait(new Promise((resolve) => setImmediate(resolve)));
        return [atStart, afterTimer, als.getStore()];
      }),
    );
    expect(seen).toEqual(['spawn site', 'spawn site', 'spawn site']);
  });

  it('a fiber that yields inside als.run() keeps its store, and does not leak it', () => {
    const als = new AsyncLocalStorage<string>();
    const log: unknown[] = [];
    const fiber = new Fiber(() => {
      als.run('inside', () => {
        log.push(['fiber before yield', als.getStore()]);
        Fiber.yield();
        log.push(['fiber after yield', als.getStore()]);
      });
      log.push(['fiber after run', als.getStore()]);
    });
    als.run('main', () => {
      fiber.run();
      log.push(['main after first run', als.getStore()]);
    });
    log.push(['main outside', als.getStore()]);
    als.run('other main', () => {
      fiber.run();
      log.push(['main after second run', als.getStore()]);
    });
    expect(log).toEqual([
      ['fiber before yield', 'inside'],
      ['main after first run', 'main'],
      ['main outside', undefined],
      ['fiber after yield', 'inside'],
      ['fiber after run', undefined],
      ['main after second run', 'other main'],
    ]);
  });

  it('enterWith() inside a fiber stays inside that fiber', () => {
    const als = new AsyncLocalStorage<string>();
    const fiber = new Fiber(() => {
      als.enterWith('entered in fiber');
      Fiber.yield(als.getStore());
      return als.getStore();
    });
    expect(fiber.run()).toBe('entered in fiber');
    expect(als.getStore()).toBeUndefined();
    expect(fiber.run()).toBe('entered in fiber');
    expect(als.getStore()).toBeUndefined();
  });

  it('each of many concurrent fibers keeps its own store across waits', async () => {
    const als = new AsyncLocalStorage<number>();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        als.run(i, () =>
          spawn(() => {
            const seen: Array<number | undefined> = [];
            for (let step = 0; step < 3; step++) {
              wait(new Promise((resolve) => setTimeout(resolve, (i * 7) % 5)));
              seen.push(als.getStore());
            }
            return seen;
          }),
        ),
      ),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => [i, i, i]));
  });

  // Node 24's AsyncLocalStorage frame (Node 22's with --experimental-async-context-frame) lives
  // in a slot V8 visits once per thread: with fibers suspended (threads archived by v8::Locker), a
  // young frame was scavenged twice and the process aborted in a later GC
  // (native/runtime/async_context_gc.h). In a child: that abort ends the process.
  it('hundreds of suspended fibers with stores survive young-generation GCs', () => {
    const child = runFixture(fixture('stores-across-young-gcs.js'), {
      nodeArgs: asyncContextFrameFlag,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ fibers: 300, allKept: true, garbage: 2000 });
  });
});

// Node 24 keeps the async id stack out of JavaScript's reach: there, inside a fiber,
// runInAsyncScope() switches only the AsyncLocalStorage frame, and executionAsyncId() is the id of
// the code that ran or resumed the fiber (docs/api/fiber.md, "Async context").
const idStackCarried = Number(process.versions.node.split('.')[0]) < 24;

describe('AsyncResource', () => {
  it('yielding inside runInAsyncScope() does not corrupt the async context', () => {
    // Run with async hooks enabled (Node checks the async id stack then) in a process of its own:
    // corruption there is fatal.
    const child = runFixture(fixture('async-resource-yield.js'));
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual([
      ['in scope', idStackCarried, 'resource store'],
      ['main after yield', true, null],
      ['in scope after yield', idStackCarried, 'resource store'],
      ['timer after resume', true],
      ['waited in scope', 'resource store'],
    ]);
  });

  it('executionAsyncId() inside a fiber is not disturbed by switches', async () => {
    const outside = executionAsyncId();
    const resource = new AsyncResource('FIBER_TEST');
    const ids = await spawn(() =>
      resource.runInAsyncScope(() => {
        const before = executionAsyncId();
        wait(delay(1));
        return [before, executionAsyncId()];
      }),
    );
    if (idStackCarried) expect(ids).toEqual([resource.asyncId(), resource.asyncId()]);
    else expect(ids[0]).toBe(outside);
    const before = executionAsyncId();
    const fiber = new Fiber(() => resource.runInAsyncScope(() => Fiber.yield()));
    fiber.run();
    expect(executionAsyncId()).toBe(before);
    fiber.run();
    expect(executionAsyncId()).toBe(before);
  });
});
