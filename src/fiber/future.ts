// node-fibers' `Future` (fibers 5.0.3 `future.js`), with the same behaviour and error messages,
// built on fiberscope's Fiber. The `fibers/future` drop-in (compat/future.ts) adds
// `Function.prototype.future`; this module leaves built-in prototypes alone.

import {
  Fiber,
  noteSuspending,
  resumedFromWait,
  spawnOptions,
  stitchAtWait,
  stitchesStacks,
} from './fiber';
import { hooks } from './hooks';

/** A node-style callback: `(error)` on failure, `(undefined, value)` on success. */
export type NodeCallback<T = any> = (error: any, value?: T) => void;

/** Something that can be thrown into: a Future or anything else with a `throw(error)` method. */
export interface Throwable {
  throw(error: any): unknown;
}

// [callback, undefined] for resolve(cb); [future, successCallback] for resolve(future, cb).
type Listener = [NodeCallback | Throwable, ((value: any) => void) | undefined];

/** Throws `error` to the event loop: what node-fibers does with an exception from a callback. */
function throwLater(error: unknown): void {
  process.nextTick(() => {
    throw error;
  });
}

/**
 * A value that will be known later. Fiber code waits for it with `wait()`, callback code listens
 * with `resolve()`, and whoever produces it calls `return(value)` or `throw(error)` once.
 */
export class Future<T = any> {
  // Declared, not initialised: like node-fibers, a new Future has none of these as own
  // properties until it resolves (some code checks `future.resolved` or reads `future._`).
  /** Whether `return()` or `throw()` has been called. */
  declare resolved?: boolean;
  /** The value given to `return()`. */
  declare value?: T;
  /** The error given to `throw()`. */
  declare error?: any;
  /** Listeners waiting for resolution; deleted once the future resolves. */
  declare callbacks?: Listener[];
  /** What the wrapped function returned, for futures made by `Future.wrap()`. */
  declare _?: unknown;

  /**
   * Runs each function in a fiber of its own (so each can wait) and returns a future of its
   * result; given several, a future of the array of their results, or of the last error thrown.
   */
  static task(...fns: Array<() => unknown>): Future {
    if (fns.length === 1) return futurize(fns[0] as () => unknown)();
    const future = new Future<unknown[]>();
    const values = new Array<unknown>(fns.length);
    let pending = fns.length;
    let failure: any;
    fns.forEach((fn, index) => {
      futurize(fn)().resolve((error, value) => {
        if (error) failure = error;
        values[index] = value;
        pending -= 1;
        if (pending === 0) {
          if (failure) future.throw(failure);
          else future.return(values);
        }
      });
    });
    return future;
  }

  /**
   * Turns a node-style async function (callback last) into one that returns a Future; the
   * function's own return value is kept as the future's `_`. Given an object, returns an object
   * inheriting from it with a future-returning `<name><suffix>` (suffix `'Future'` by default)
   * beside each function. `multi` resolves to the array of all the callback's values after the
   * error, for callbacks like `child_process.exec`'s. `stop` skips wrapping a function's own
   * function properties.
   */
  static wrap(fnOrObject: any, multi?: boolean, suffix?: string, stop?: boolean): any {
    if (typeof fnOrObject === 'object') {
      const wrapped = Object.create(fnOrObject);
      for (const key in fnOrObject) {
        if (wrapped[key] instanceof Function) {
          const name = suffix === undefined ? `${key}Future` : key + suffix;
          wrapped[name] = Future.wrap(wrapped[key], multi, suffix, stop);
        }
      }
      return wrapped;
    }
    if (typeof fnOrObject !== 'function') return undefined;

    const original = fnOrObject as (...args: unknown[]) => unknown;
    const fn = function (this: unknown, ...args: unknown[]): Future {
      const future = new Future();
      const resolver = future.resolver();
      if (multi) {
        args.push((error: unknown, ...values: unknown[]) => resolver(error, values));
      } else {
        args.push(resolver);
      }
      future._ = original.apply(this, args);
      return future;
    };
    // Modules like `request` export a function carrying more functions as properties: the
    // wrapper inherits from the original, and gets a future-returning `<name>Future` for each.
    if (!stop) {
      const proto = Object.create(original);
      for (const key in original) {
        if (Object.hasOwn(original, key) && (original as any)[key] instanceof Function) {
          proto[key] = proto[key];
        }
      }
      Object.setPrototypeOf(fn, Future.wrap(proto, multi, suffix, true));
    }
    return fn;
  }

  /**
   * Waits, in the current fiber, until every future given (directly or in arrays) has resolved.
   * Does not throw their errors: call `get()` on each. An unstarted future from `futurize()` is
   * run in the current fiber rather than in a fiber of its own.
   */
  static wait(...args: Array<Future | Future[]>): void {
    const futures: Future[] = [];
    let reuse: FiberFuture | undefined;
    const add = (item: unknown) => {
      if (!(item instanceof Future)) throw new Error(`${String(item)} is not a future`);
      if (item.isResolved()) return;
      if (reuse === undefined && item instanceof FiberFuture && !item.started) {
        reuse = item;
        return;
      }
      futures.push(item);
    };
    for (const arg of args) {
      if (Array.isArray(arg)) {
        for (const item of arg) add(item);
      } else {
        add(arg);
      }
    }

    const fiber = Fiber.current;
    if (fiber === undefined) throw new Error("Can't wait without a fiber");

    let pending = futures.length + (reuse === undefined ? 0 : 1);
    const onResolved = () => {
      pending -= 1;
      if (pending === 0) {
        hooks.timeline?.ready(fiber.id);
        fiber.run();
      }
    };
    for (const future of futures) future.resolve(onResolved);

    if (reuse !== undefined) {
      reuse.started = true;
      try {
        reuse.return(reuse.fn.apply(reuse.context, reuse.args));
      } catch (error) {
        reuse.throw(error);
      }
      pending -= 1;
    }

    if (pending !== 0) {
      noteSuspending(fiber);
      try {
        Fiber.yield();
      } finally {
        resumedFromWait(fiber);
      }
    }
  }

  /** A future that settles as the promise (or any thenable) does. */
  static fromPromise<T>(promise: PromiseLike<T>): Future<T> {
    const future = new Future<T>();
    promise.then(
      (value) => future.return(value),
      (error) => future.throw(error),
    );
    return future;
  }

  /**
   * The value, once resolved; throws the error if the future threw (its stack then shows where
   * get() was called, `    - - - - -`, and where the error was made).
   */
  get(): T {
    if (!this.resolved) throw new Error('Future must resolve before value is ready');
    if (this.error) {
      const error = this.error;
      // In a fiber: the stitched trace (where the fiber waited, where it was spawned). Outside:
      // node-fibers' own linking of get()'s stack to the error's, plain `stack` values too.
      // With stitching off, the stack as node-fibers' users saw it on Node 14 and before, where
      // V8's `stack` was a plain value that node-fibers' linking left alone (Node 22 and later
      // make it an accessor, which that linking would change): untouched, `futureStack` kept.
      if (!stitchesStacks()) {
        keepFutureStack(error);
      } else if (Fiber.current !== undefined) {
        keepFutureStack(error);
        stitchAtWait(error, Future.prototype.get);
      } else {
        linkStacks(error);
      }
      throw error;
    }
    return this.value as T;
  }

  /** Resolves the future with `value`, calling the listeners at once. */
  return(value?: T): void {
    if (this.resolved) throw new Error('Future resolved more than once');
    this.value = value;
    this.resolved = true;
    const listeners = this.takeListeners();
    for (const [callback, onSuccess] of listeners) {
      try {
        if (onSuccess) onSuccess(value);
        else (callback as NodeCallback)(undefined, value);
      } catch (error) {
        throwLater(error);
      }
    }
  }

  /** Resolves the future with an error (which must be truthy), calling the listeners at once. */
  throw(error: any): void {
    if (this.resolved) throw new Error('Future resolved more than once');
    if (!error) throw new Error('Must throw non-empty error');
    this.error = error;
    this.resolved = true;
    const listeners = this.takeListeners();
    for (const [target, onSuccess] of listeners) {
      try {
        if (onSuccess) (target as Throwable).throw(error);
        else (target as NodeCallback)(error);
      } catch (failure) {
        throwLater(failure);
      }
    }
  }

  /**
   * Makes an error of this future uncaught: thrown to the event loop (where it ends the process
   * unless something handles it) instead of waiting for someone to get() it.
   */
  detach(): void {
    this.resolve((error) => {
      if (error) throw error;
    });
  }

  /** Whether `return()` or `throw()` has been called. */
  isResolved(): boolean {
    return this.resolved === true;
  }

  /** A node-style callback that resolves this future. */
  resolver(): NodeCallback<T> {
    return (error, value) => {
      if (error) this.throw(error);
      else this.return(value);
    };
  }

  /**
   * Calls `callback(error, value)` once the future resolves (at once if it has). Given a future
   * and a callback, throws an error into that future, or calls `callback(value)`.
   */
  resolve(callback: NodeCallback<T>): this;
  resolve(future: Throwable, onSuccess: (value: T) => void): this;
  resolve(target: NodeCallback<T> | Throwable, onSuccess?: (value: T) => void): this {
    if (!this.resolved) {
      if (this.callbacks === undefined) this.callbacks = [];
      this.callbacks.push([target, onSuccess]);
    } else if (onSuccess) {
      if (this.error) (target as Throwable).throw(this.error);
      else onSuccess(this.value as T);
    } else {
      (target as NodeCallback<T>)(this.error, this.value);
    }
    return this;
  }

  /** Calls `callback(value)` if the future resolves with a value; errors are ignored. */
  resolveSuccess(callback: (value: T) => void): this {
    this.resolve((error, value) => {
      if (error) return;
      callback(value as T);
    });
    return this;
  }

  /** Resolves `future` as this future resolves. */
  proxy(future: Future<T>): void {
    this.resolve((error, value) => {
      if (error) future.throw(error);
      else future.return(value);
    });
  }

  /** Throws this future's error, if it gets one, into `futures` (a future or an array). */
  proxyErrors(futures: Throwable | Throwable[]): this {
    this.resolve((error) => {
      if (!error) return;
      if (Array.isArray(futures)) {
        for (const future of futures) future.throw(error);
      } else {
        futures.throw(error);
      }
    });
    return this;
  }

  /** A promise that settles as this future resolves. */
  promise(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.resolve((error, value) => {
        if (error) reject(error);
        else resolve(value as T);
      });
    });
  }

  /** Waits (inside a fiber) for the future to resolve, then returns its value or throws. */
  wait(): T {
    if (this.isResolved()) return this.get();
    Future.wait(this);
    return this.get();
  }

  private takeListeners(): Listener[] {
    const listeners = this.callbacks;
    if (listeners === undefined) return [];
    delete this.callbacks;
    return listeners;
  }
}

/**
 * A call of `fn` that starts by itself in a fiber of its own on the next tick, unless a
 * `Future.wait()` in a fiber takes it first and runs it in that fiber.
 */
export class FiberFuture<T = any> extends Future<T> {
  fn: (...args: any[]) => T;
  context: unknown;
  args: unknown[];
  started: boolean;

  constructor(fn: (...args: any[]) => T, context: unknown, args: unknown[]) {
    super();
    this.fn = fn;
    this.context = context;
    this.args = args;
    this.started = false;
    process.nextTick(() => {
      if (this.started) return;
      this.started = true;
      // The fiber's spawn site is `fn`'s (with spawnSites 'function'); nothing of the caller's
      // stack is left in a tick.
      new Fiber(
        () => {
          try {
            this.return(fn.apply(context, args));
          } catch (error) {
            this.throw(error);
          }
        },
        spawnOptions(fn, FiberFuture),
      ).run();
    });
  }
}

/**
 * `fn.future(detach)` of node-fibers without touching Function.prototype: a function that calls
 * `fn` (with its `this` and arguments) in a fiber and returns a future of the result. With
 * `detach`, the future is detached: an error is thrown to the event loop.
 */
export function futurize<Args extends unknown[], R>(
  fn: (...args: Args) => R,
  detach?: boolean,
): (...args: Args) => FiberFuture<R> {
  if (typeof fn !== 'function') throw new TypeError('futurize() expects a function');
  const futureFn = function (this: unknown, ...args: Args): FiberFuture<R> {
    const future = new FiberFuture<R>(fn, this, args);
    if (detach) future.detach();
    return future;
  };
  futureFn.toString = () => `<<Future ${String(fn)}.future()>>`;
  return futureFn;
}

/** node-fibers kept the error's own stack as `error.futureStack`; code that reads it still can. */
function keepFutureStack(error: any): void {
  if (error === null || typeof error !== 'object') return;
  try {
    if (Object.getOwnPropertyDescriptor(error, 'futureStack') === undefined) {
      Object.defineProperty(error, 'futureStack', {
        value: error.stack,
        configurable: true,
        enumerable: false,
        writable: true,
      });
    }
  } catch {
    // A frozen error keeps what it has.
  }
}

/**
 * Makes `error.stack` show where get() was called, then `    - - - - -`, then where the error was
 * made, as node-fibers does. The original stack is kept as `error.futureStack`. node-fibers only
 * did this where `stack` is an accessor; V8 in Node 20 makes it a plain value, which is linked
 * too. An error whose properties can't be redefined is thrown as it is.
 */
function linkStacks(error: any): void {
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return;
  const here: { stack?: string } = {};
  Error.captureStackTrace(here, Future.prototype.get);
  try {
    let original = Object.getOwnPropertyDescriptor(error, 'futureStack');
    if (original === undefined) {
      original = Object.getOwnPropertyDescriptor(error, 'stack');
      if (original !== undefined) Object.defineProperty(error, 'futureStack', original);
    }
    if (original === undefined) return;
    const { get: getter } = original;
    let readStack: () => unknown;
    if (getter !== undefined) readStack = () => getter.call(error);
    else if (typeof original.value === 'string') {
      const value = original.value;
      readStack = () => value;
    } else return;
    Object.defineProperty(error, 'stack', {
      get() {
        const stack = readStack();
        if (!stack) return here.stack;
        const lines = String(stack).split('\n');
        return [lines[0], ...(here.stack ?? '').split('\n').slice(1), '    - - - - -']
          .concat(lines.slice(1))
          .join('\n');
      },
      set(stack: unknown) {
        Object.defineProperty(error, 'stack', {
          value: stack,
          configurable: true,
          enumerable: false,
          writable: true,
        });
      },
      configurable: true,
      enumerable: false,
    });
  } catch {
    // A frozen error, or one whose `stack` is not configurable: its own stack stays.
  }
}
