import { exec } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Fiber, FiberFuture, Future, futurize, spawn } from 'fiberscope';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFixture } from '../helpers/child';

/** Runs a program of test/fiber/fixtures in a child Node. */
const runFutureFixture = (name: string) =>
  runFixture(new URL(`./fixtures/${name}`, import.meta.url), { env: { NODE_OPTIONS: '' } });

/** A future that returns `value` after `ms` milliseconds (on the next tick for 0). */
function later<T>(value: T, ms = 0): Future<T> {
  const future = new Future<T>();
  if (ms === 0) process.nextTick(() => future.return(value));
  else setTimeout(() => future.return(value), ms);
  return future;
}

/** A future that throws `error` after `ms` milliseconds. */
function failLater(error: unknown, ms = 1): Future {
  const future = new Future();
  setTimeout(() => future.throw(error), ms);
  return future;
}

function caught(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Future: resolution', () => {
  it('get() before resolution throws, after return() gives the value', () => {
    const future = new Future<number>();
    expect(() => future.get()).toThrow(new Error('Future must resolve before value is ready'));
    expect(future.isResolved()).toBe(false);
    future.return(42);
    expect(future.isResolved()).toBe(true);
    expect(future.get()).toBe(42);
    expect(future.get()).toBe(42);
  });

  it('return() with no value resolves to undefined', () => {
    const future = new Future();
    future.return();
    expect(future.isResolved()).toBe(true);
    expect(future.get()).toBeUndefined();
  });

  it('get() after throw() throws that very error, every time', () => {
    const future = new Future();
    const error = new Error('boom');
    future.throw(error);
    expect(future.isResolved()).toBe(true);
    expect(caught(() => future.get())).toBe(error);
    expect(caught(() => future.get())).toBe(error);
  });

  it('resolving twice throws "Future resolved more than once" and keeps the first result', () => {
    const returned = new Future();
    returned.return(1);
    expect(() => returned.return(2)).toThrow(new Error('Future resolved more than once'));
    expect(() => returned.throw(new Error('x'))).toThrow(
      new Error('Future resolved more than once'),
    );
    expect(returned.get()).toBe(1);

    const thrown = new Future();
    const error = new Error('first');
    thrown.throw(error);
    expect(() => thrown.return(2)).toThrow(new Error('Future resolved more than once'));
    expect(() => thrown.throw(new Error('second'))).toThrow(
      new Error('Future resolved more than once'),
    );
    expect(caught(() => thrown.get())).toBe(error);
  });

  it('throw() with an empty error throws "Must throw non-empty error" and stays unresolved', () => {
    const future = new Future();
    for (const empty of [undefined, null, 0, '', false]) {
      expect(() => future.throw(empty)).toThrow(new Error('Must throw non-empty error'));
    }
    expect(future.isResolved()).toBe(false);
    future.throw('a string is an error too');
    expect(caught(() => future.get())).toBe('a string is an error too');
  });

  it('keeps node-fibers field names (resolved, value, error) and has none before resolving', () => {
    const future = new Future<string>();
    expect(Object.keys(future)).toEqual([]);
    future.return('v');
    expect(future.resolved).toBe(true);
    expect(future.value).toBe('v');
  });

  it('resolver() returns a node-style callback', () => {
    const ok = new Future<string>();
    const okCallback = ok.resolver();
    okCallback(null, 'value');
    expect(ok.get()).toBe('value');
    expect(() => okCallback(null, 'again')).toThrow(new Error('Future resolved more than once'));

    const bad = new Future();
    const error = new Error('bad');
    bad.resolver()(error, 'ignored');
    expect(caught(() => bad.get())).toBe(error);

    // A falsy error counts as success, as in node-fibers.
    const falsy = new Future();
    falsy.resolver()(0, 'zero error');
    expect(falsy.get()).toBe('zero error');
  });
});

describe('Future: listeners', () => {
  it('resolve(cb) calls back at once on return(), in registration order, with (undefined, value)', () => {
    const future = new Future<number>();
    const calls: unknown[][] = [];
    expect(future.resolve((...args) => calls.push(['a', ...args]))).toBe(future);
    future.resolve((...args) => calls.push(['b', ...args]));
    expect(calls).toEqual([]);
    future.return(5);
    expect(calls).toEqual([
      ['a', undefined, 5],
      ['b', undefined, 5],
    ]);
    expect(future.callbacks).toBeUndefined();
  });

  it('resolve(cb) on a resolved future calls back synchronously', () => {
    const future = new Future<number>();
    future.return(9);
    const calls: unknown[][] = [];
    future.resolve((...args) => calls.push(args));
    expect(calls).toEqual([[undefined, 9]]);

    const failed = new Future();
    const error = new Error('e');
    failed.throw(error);
    const failedCalls: unknown[][] = [];
    failed.resolve((...args) => failedCalls.push(args));
    expect(failedCalls).toEqual([[error, undefined]]);
  });

  it('throw() calls callbacks with the error alone', () => {
    const future = new Future();
    const calls: unknown[][] = [];
    future.resolve((...args) => calls.push(args));
    const error = new Error('e');
    future.throw(error);
    expect(calls).toEqual([[error]]);
  });

  it('a callback registered from a callback during resolution runs at once', () => {
    const future = new Future<string>();
    const order: string[] = [];
    future.resolve(() => {
      order.push('first');
      future.resolve(() => order.push('nested'));
      order.push('first done');
    });
    future.resolve(() => order.push('second'));
    future.return('x');
    expect(order).toEqual(['first', 'nested', 'first done', 'second']);
  });

  it('resolve(future, onSuccess) calls onSuccess with the value, or throws into the future', () => {
    const source = new Future<number>();
    const target = new Future();
    const values: number[] = [];
    expect(source.resolve(target, (value) => values.push(value))).toBe(source);
    source.return(3);
    expect(values).toEqual([3]);
    expect(target.isResolved()).toBe(false);

    const failing = new Future();
    const errorTarget = new Future();
    const error = new Error('into target');
    failing.resolve(errorTarget, () => values.push(-1));
    failing.throw(error);
    expect(caught(() => errorTarget.get())).toBe(error);
    expect(values).toEqual([3]);

    // Already resolved: the same, synchronously.
    const target2 = new Future();
    failing.resolve(target2, () => values.push(-2));
    expect(caught(() => target2.get())).toBe(error);
    source.resolve(new Future(), (value) => values.push(value * 10));
    expect(values).toEqual([3, 30]);
  });

  it('resolveSuccess() only hears about values, and returns the future', () => {
    const values: unknown[] = [];
    const ok = new Future();
    expect(ok.resolveSuccess((value) => values.push(value))).toBe(ok);
    ok.return('yes');
    const bad = new Future();
    bad.resolveSuccess((value) => values.push(value));
    bad.throw(new Error('no'));
    expect(values).toEqual(['yes']);
  });

  it('proxy() passes a value or an error on to another future', () => {
    const source = new Future<number>();
    const target = new Future<number>();
    expect(source.proxy(target)).toBeUndefined();
    source.return(7);
    expect(target.get()).toBe(7);

    const failing = new Future<number>();
    const errorTarget = new Future<number>();
    failing.proxy(errorTarget);
    const error = new Error('proxied');
    failing.throw(error);
    expect(caught(() => errorTarget.get())).toBe(error);
  });

  it('proxyErrors() passes errors on to a future or an array of futures, not values', () => {
    const targets = [new Future(), new Future()];
    const single = new Future();
    const source = new Future();
    expect(source.proxyErrors(targets)).toBe(source);
    source.proxyErrors(single);
    const error = new Error('spread');
    source.throw(error);
    for (const target of [...targets, single]) expect(caught(() => target.get())).toBe(error);

    const ok = new Future();
    const untouched = new Future();
    ok.proxyErrors([untouched]);
    ok.return(1);
    expect(untouched.isResolved()).toBe(false);
  });

  it('a listener that throws does not stop the others (the error goes to the event loop)', () => {
    const { status, stdout, stderr } = runFutureFixture('future-listener-throws.js');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toBe(
      'listener 2 5\nreturn() came back\nthrow() came back\nuncaught listener 1\nuncaught listener 3\n',
    );
  });
});

describe('Future: promises', () => {
  it('promise() resolves with the value', async () => {
    const future = later('from future', 1);
    await expect(future.promise()).resolves.toBe('from future');
  });

  it('promise() rejects with the error', async () => {
    const error = new Error('rejected');
    await expect(failLater(error).promise()).rejects.toBe(error);
  });

  it('fromPromise() resolves as the promise does', async () => {
    const future = Future.fromPromise(Promise.resolve(11));
    expect(future.isResolved()).toBe(false);
    await tick();
    expect(future.get()).toBe(11);

    const error = new Error('nope');
    const failed = Future.fromPromise(Promise.reject(error));
    await tick();
    expect(caught(() => failed.get())).toBe(error);
  });

  it('fromPromise() accepts thenables and round-trips with promise()', async () => {
    const thenable = {
      then: (resolve: (value: string) => void) => setTimeout(() => resolve('t'), 1),
    };
    expect(await Future.fromPromise(thenable).promise()).toBe('t');
    const roundTrip = await Future.fromPromise(later({ deep: [1, 2] }, 1).promise()).promise();
    expect(roundTrip).toEqual({ deep: [1, 2] });
  });

  it('fromPromise() can be waited for in a fiber', async () => {
    const result = await spawn(() =>
      Future.fromPromise(new Promise((resolve) => setTimeout(() => resolve('waited'), 5))).wait(),
    );
    expect(result).toBe('waited');
  });
});

describe('Future: wait', () => {
  it('wait() on a resolved future needs no fiber', () => {
    const future = new Future<number>();
    future.return(1);
    expect(future.wait()).toBe(1);
    const failed = new Future();
    const error = new Error('failed');
    failed.throw(error);
    expect(caught(() => failed.wait())).toBe(error);
  });

  it('wait() on a pending future outside a fiber throws', () => {
    expect(() => new Future().wait()).toThrow(new Error("Can't wait without a fiber"));
    expect(() => Future.wait(new Future())).toThrow(new Error("Can't wait without a fiber"));
  });

  it('wait() suspends the fiber while the event loop runs, then returns the value', async () => {
    const order: string[] = [];
    const done = spawn(() => {
      order.push('before');
      const value = later('later', 5).wait();
      order.push(`after ${value}`);
      return value;
    });
    order.push('spawn returned');
    expect(await done).toBe('later');
    expect(order).toEqual(['before', 'spawn returned', 'after later']);
  });

  it('wait() in a fiber throws the error stitched: its stack, then where the fiber waited', async () => {
    function makeError() {
      return new Error('deep');
    }
    const error = makeError();
    const stack = await spawn(() => {
      function waitHere() {
        try {
          failLater(error, 1).wait();
        } catch (thrown) {
          return (thrown as Error).stack as string;
        }
        return 'not thrown';
      }
      return waitHere();
    });
    const [head, first, ...rest] = stack.split('\n');
    expect(head).toBe('Error: deep');
    expect(first).toContain('makeError');
    const separator = rest.findIndex((line) => /^ {4}--- fiber #\d+ waited here ---$/.test(line));
    expect(separator).toBeGreaterThan(0);
    expect(rest[separator + 1]).toContain('waitHere');
    // node-fibers code that reads the error's own stack still finds it.
    expect((error as Error & { futureStack?: string }).futureStack).toMatch(
      /^Error: deep\n\s+at makeError/,
    );
  });

  it('get() outside a fiber links its stack to the error`s, as node-fibers does', () => {
    function makeError() {
      return new Error('deep');
    }
    const error = makeError();
    const future = new Future();
    future.throw(error);
    function getHere() {
      try {
        future.get();
      } catch (thrown) {
        return (thrown as Error).stack as string;
      }
      return 'not thrown';
    }
    const [head, ...rest] = getHere().split('\n');
    expect(head).toBe('Error: deep');
    const separator = rest.indexOf('    - - - - -');
    expect(separator).toBeGreaterThan(0);
    expect(rest.slice(0, separator).join('\n')).toContain('getHere');
    expect(rest.slice(separator + 1)[0]).toContain('makeError');
    expect((error as Error & { futureStack?: string }).futureStack).toMatch(
      /^Error: deep\n\s+at makeError/,
    );
    // Assigning the stack replaces it with a plain value.
    error.stack = 'replaced';
    expect(error.stack).toBe('replaced');
  });

  it('with stitching off, get() leaves every `stack` as it is and keeps it as futureStack', async () => {
    const { configureStitching } = await import('fiberscope/stitch');
    configureStitching({ stacks: false });
    try {
      const outside = new Error('outside');
      const outsideStack = outside.stack;
      const future = new Future();
      future.throw(outside);
      expect(caught(() => future.get())).toBe(outside);
      expect(outside.stack).toBe(outsideStack);
      expect((outside as Error & { futureStack?: string }).futureStack).toBe(outsideStack);

      const inside = new Error('inside');
      const insideStack = inside.stack;
      const thrown = await spawn(() => {
        try {
          failLater(inside, 1).wait();
        } catch (error) {
          return error;
        }
      });
      expect(thrown).toBe(inside);
      expect(inside.stack).toBe(insideStack);
      expect((inside as Error & { futureStack?: string }).futureStack).toBe(insideStack);

      // Whether V8 made `stack` a plain value (Node 20) or an accessor (Node 22 and later), as
      // node-fibers' users saw it on Node 14, where its linking never applied.
      for (const kind of ['value', 'accessor'] as const) {
        const error = new Error(kind);
        const own = error.stack as string;
        Object.defineProperty(
          error,
          'stack',
          kind === 'value'
            ? { value: own, configurable: true, writable: true }
            : { get: () => own, configurable: true },
        );
        const rejected = new Future();
        rejected.throw(error);
        expect(caught(() => rejected.get())).toBe(error);
        expect(error.stack).toBe(own);
      }
    } finally {
      configureStitching({ stacks: true });
    }
  });

  it('get() still throws a frozen error as it is', () => {
    const error = Object.freeze(new Error('frozen'));
    const future = new Future();
    future.throw(error);
    expect(caught(() => future.get())).toBe(error);
  });

  it('Future.wait() waits for several futures and arrays of futures, without throwing', async () => {
    const error = new Error('one failed');
    const result = await spawn(() => {
      const a = later('a', 10);
      const b = later('b');
      const c = failLater(error, 3);
      const d = later('d', 1);
      const e = later('e', 6);
      const resolvedBefore = [a, b, c, d, e].map((f) => f.isResolved());
      expect(Future.wait(a, [b, c], [], d, [e])).toBeUndefined();
      return {
        resolvedBefore,
        resolved: [a, b, c, d, e].map((f) => f.isResolved()),
        values: [a.get(), b.get(), d.get(), e.get()],
        error: caught(() => c.get()),
      };
    });
    // None was resolved when it was called, all were when it returned: it waited for the last
    // (a, 10 ms).
    expect(result.resolvedBefore).toEqual([false, false, false, false, false]);
    expect(result.resolved).toEqual([true, true, true, true, true]);
    expect(result.values).toEqual(['a', 'b', 'd', 'e']);
    expect(result.error).toBe(error);
  });

  it('Future.wait() with only resolved futures does not yield', async () => {
    const order: string[] = [];
    const seenInFiber = await spawn(() => {
      const done = new Future();
      done.return(1);
      process.nextTick(() => order.push('tick'));
      Future.wait(done, [done]);
      order.push('waited');
      Future.wait();
      order.push('waited for nothing');
      return [...order];
    });
    expect(seenInFiber).toEqual(['waited', 'waited for nothing']);
    await tick();
    expect(order).toEqual(['waited', 'waited for nothing', 'tick']);
  });

  it('Future.wait() rejects things that are not futures', async () => {
    const messages = await spawn(() =>
      [
        () => Future.wait(3 as never),
        () => Future.wait([new Future(), 'x' as never]),
        () => Future.wait({} as never),
        () => Future.wait(null as never),
      ].map((fn) => caught(fn).message),
    );
    expect(messages).toEqual([
      '3 is not a future',
      'x is not a future',
      '[object Object] is not a future',
      'null is not a future',
    ]);
  });

  it('checks its arguments before it needs a fiber', () => {
    expect(() => Future.wait(5 as never)).toThrow(new Error('5 is not a future'));
  });

  it('Future.wait() runs one unstarted function future in the waiting fiber', async () => {
    const result = await spawn(() => {
      const outer = Fiber.current;
      const seen: unknown[] = [];
      const fnFuture = futurize((x: number) => {
        seen.push(Fiber.current === outer);
        return later(x * 2, 1).wait();
      })(21);
      const other = futurize(() => {
        seen.push(Fiber.current === outer);
        return 'other';
      })();
      expect(fnFuture.started).toBe(false);
      Future.wait(fnFuture, other);
      return { seen, value: fnFuture.get(), other: other.get(), started: fnFuture.started };
    });
    // The first unstarted one ran in the waiting fiber, the second in a fiber of its own.
    expect(result).toEqual({ seen: [true, false], value: 42, other: 'other', started: true });
  });

  it('a function future that runs in the waiting fiber may throw', async () => {
    const error = new Error('thrown in place');
    const result = await spawn(() => {
      const fnFuture = futurize(() => {
        throw error;
      })();
      Future.wait(fnFuture);
      return caught(() => fnFuture.get());
    });
    expect(result).toBe(error);
  });

  it('many fibers wait for the same future', async () => {
    const shared = new Future<string>();
    const results = Promise.all([1, 2, 3].map((n) => spawn(() => `${n}:${shared.wait()}`)));
    setTimeout(() => shared.return('go'), 2);
    expect(await results).toEqual(['1:go', '2:go', '3:go']);
  });
});

describe('futurize() and Future.task()', () => {
  it('does not patch Function.prototype', () => {
    expect((Function.prototype as { future?: unknown }).future).toBeUndefined();
  });

  it('futurize(fn) calls fn with its this and arguments, in a fiber, on the next tick', async () => {
    const log: string[] = [];
    const context = { name: 'ctx' };
    const futureFn = futurize(function (this: typeof context, a: number, b: number) {
      log.push(`run ${this.name} ${a + b} ${Fiber.current instanceof Fiber}`);
      return later(a * b, 1).wait();
    });
    const future = futureFn.call(context, 3, 4);
    log.push('called');
    expect(future).toBeInstanceOf(FiberFuture);
    expect(future).toBeInstanceOf(Future);
    expect(future.isResolved()).toBe(false);
    expect(await future.promise()).toBe(12);
    expect(log).toEqual(['called', 'run ctx 7 true']);
    expect(future.started).toBe(true);
  });

  it('futurize(fn) catches what fn throws into the future', async () => {
    const error = new Error('from fn');
    const future = futurize(() => {
      throw error;
    })();
    await expect(future.promise()).rejects.toBe(error);
  });

  it("futurize(fn)'s toString names the function", () => {
    function named() {
      return 1;
    }
    expect(String(futurize(named))).toBe(`<<Future ${String(named)}.future()>>`);
    expect(() => futurize(3 as never)).toThrow(TypeError);
  });

  it('Future.task(fn) runs fn in a fiber of its own and returns its future', async () => {
    const task = Future.task(() => Fiber.current);
    expect(task).toBeInstanceOf(FiberFuture);
    expect(Fiber.current).toBeUndefined();
    expect(await task.promise()).toBeInstanceOf(Fiber);
  });

  it('Future.task(fn).wait() at once runs fn in the waiting fiber (no new fiber)', async () => {
    const sameFiber = await spawn(() => {
      const caller = Fiber.current;
      return Future.task(() => Fiber.current === caller).wait();
    });
    expect(sameFiber).toBe(true);
  });

  it('Future.task(...fns) resolves to the results in argument order', async () => {
    const order: string[] = [];
    const task = Future.task(
      () => {
        const value = later('slow', 10).wait();
        order.push('slow');
        return value;
      },
      () => {
        order.push('sync');
        return 'sync';
      },
      () => {
        const value = later('fast', 2).wait();
        order.push('fast');
        return value;
      },
    );
    expect(task).not.toBeInstanceOf(FiberFuture);
    expect(await task.promise()).toEqual(['slow', 'sync', 'fast']);
    expect(order).toEqual(['sync', 'fast', 'slow']);
  });

  it('Future.task(...fns) throws the last error once all are done', async () => {
    const finished: string[] = [];
    const task = Future.task(
      () => {
        later(0, 5).wait();
        finished.push('first');
        throw new Error('first error');
      },
      () => {
        later(0, 1).wait();
        finished.push('second');
        throw new Error('second error');
      },
      () => {
        later(0, 8).wait();
        finished.push('third');
        return 'ok';
      },
    );
    await expect(task.promise()).rejects.toThrow('first error');
    expect(finished).toEqual(['second', 'first', 'third']);
  });

  it('Future.task() with no functions never resolves, as in node-fibers', async () => {
    const task = Future.task();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(task.isResolved()).toBe(false);
  });
});

describe('Future.wrap()', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fiberscope-future-'));
    file = path.join(dir, 'example.txt');
    fs.writeFileSync(file, 'example contents');
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('wraps a node-style function (fs.readFile) into one returning a future', async () => {
    const readFile = Future.wrap(fs.readFile);
    const result = await spawn(() => {
      const future = readFile(file, 'utf8');
      return {
        isFuture: future instanceof Future && !(future instanceof FiberFuture),
        returned: future._,
        text: future.wait(),
      };
    });
    expect(result).toEqual({ isFuture: true, returned: undefined, text: 'example contents' });
  });

  it("throws the callback's error from wait()", async () => {
    const readFile = Future.wrap(fs.readFile);
    const error = await spawn(() => caught(() => readFile(path.join(dir, 'missing')).wait()));
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('ENOENT');
  });

  it('wraps an object (fs): <name>Future beside every function, the rest inherited', async () => {
    const wrapped = Future.wrap(fs);
    expect(Object.getPrototypeOf(wrapped)).toBe(fs);
    expect(typeof wrapped.readFileFuture).toBe('function');
    expect(typeof wrapped.statFuture).toBe('function');
    expect(wrapped.readFileSync).toBe(fs.readFileSync);
    expect(wrapped.constants).toBe(fs.constants);
    const result = await spawn(() => ({
      text: wrapped.readFileFuture(file, 'utf8').wait(),
      size: wrapped.statFuture(file).wait().size,
    }));
    expect(result).toEqual({ text: 'example contents', size: 16 });
  });

  it('uses the suffix given for an object', async () => {
    const wrapped = Future.wrap(fs, false, 'Async');
    expect(typeof wrapped.readFileAsync).toBe('function');
    expect(wrapped.readFileFuture).toBeUndefined();
    expect(await spawn(() => wrapped.readFileAsync(file, 'utf8').wait())).toBe('example contents');
  });

  it('calls wrapped methods with the wrapper as this', async () => {
    const counter = {
      base: 10,
      add(this: { base: number }, x: number, cb: (e: unknown, v?: number) => void) {
        setImmediate(() => cb(null, this.base + x));
      },
    };
    const wrapped = Future.wrap(counter);
    wrapped.base = 100;
    expect(await spawn(() => wrapped.addFuture(5).wait())).toBe(105);
  });

  it('multi=true resolves to all the callback values after the error (exec-like)', async () => {
    function execLike(command: string, cb: (e: unknown, out?: string, err?: string) => void) {
      setImmediate(() => cb(null, `out:${command}`, `err:${command}`));
      return 'handle';
    }
    const wrapped = Future.wrap(execLike, true);
    const result = await spawn(() => {
      const future = wrapped('ls');
      return { handle: future._, values: future.wait() };
    });
    expect(result).toEqual({ handle: 'handle', values: ['out:ls', 'err:ls'] });

    const failing = Future.wrap((cb: (e: unknown, a?: string) => void) => {
      setImmediate(() => cb(new Error('exec failed'), 'partial'));
    }, true);
    await expect(spawn(() => failing().wait())).rejects.toThrow('exec failed');
  });

  it('multi=true with child_process.exec gives [stdout, stderr] and keeps the ChildProcess', async () => {
    const execFuture = Future.wrap(exec, true);
    const result = await spawn(() => {
      const future = execFuture(
        `"${process.execPath}" -e "console.log('hi'); console.error('oh')"`,
      );
      return { pid: typeof future._.pid, values: future.wait() };
    });
    expect(result).toEqual({ pid: 'number', values: ['hi\n', 'oh\n'] });
  });

  it("wraps a function's own function properties too, unless stop is set", async () => {
    const request = Object.assign(
      (url: string, cb: (e: unknown, v?: string) => void) =>
        setImmediate(() => cb(null, `req ${url}`)),
      {
        get: (url: string, cb: (e: unknown, v?: string) => void) =>
          setImmediate(() => cb(null, `get ${url}`)),
        version: '1.0',
      },
    );
    const wrapped = Future.wrap(request);
    expect(wrapped.get).toBe(request.get);
    expect(wrapped.version).toBe('1.0');
    expect(await spawn(() => [wrapped('/a').wait(), wrapped.getFuture('/b').wait()])).toEqual([
      'req /a',
      'get /b',
    ]);

    const stopped = Future.wrap(request, false, undefined, true);
    expect(stopped.getFuture).toBeUndefined();
    expect(Object.getPrototypeOf(stopped)).toBe(Function.prototype);
  });

  it('returns undefined for anything but a function or an object', () => {
    expect(Future.wrap(5)).toBeUndefined();
    expect(Future.wrap('text')).toBeUndefined();
  });
});

describe('detach()', () => {
  it('throws the error of a detached future to the event loop', () => {
    const { status, stdout, stderr } = runFutureFixture('detached-errors-handled.js');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toBe('after throw\nvalue 1\nuncaught detached future\nuncaught detached fn\n');
  });

  it('without a handler, the process dies of it', () => {
    const { status, stdout, stderr } = runFutureFixture('detached-error-unhandled.js');
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('Error: nobody catches this');
  });
});

// The Future tests of node-fibers 5.0.3 (test/future.js, test/future-exception.js,
// test/finish-multiple.js), ported.
describe('node-fibers tests', () => {
  it('future.js: Future.wait() on a timer and a tick inside a function future', async () => {
    function Timer(ms?: number) {
      const future = new Future();
      const done = () => future.return();
      if (ms) setTimeout(done, ms);
      else process.nextTick(done);
      return future;
    }
    const result = await futurize(() => {
      const timer = Timer(10);
      const nextTick = Timer();
      Future.wait(timer, nextTick);
      timer.get();
      nextTick.get();
      return 'pass';
    })().promise();
    expect(result).toBe('pass');
  });

  it('future-exception.js: an error after a wait() resumed by Future.wait is uncaught, and the process lives on', () => {
    const { status, stdout, stderr } = runFutureFixture('node-fibers-future-exception.js');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toBe('pass\n');
  });

  it('finish-multiple.js: fibers started from fibers finish one inside the other', () => {
    const finished: string[] = [];
    new Fiber(() => {
      new Fiber(() => {
        new Fiber(() => {
          finished.push('inner');
        }).run();
        finished.push('middle');
      }).run();
      finished.push('outer');
    }).run();
    expect(finished).toEqual(['inner', 'middle', 'outer']);
  });
});
