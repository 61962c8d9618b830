import {
  Fiber,
  type FiberOptions,
  noteSuspending,
  resumedFromWait,
  spawnOptions,
  stitchEscapeOf,
} from './fiber';
import { hooks } from './hooks';
import { binding } from './native';

const kWaiting = Symbol('fiberscope.waiting');

interface WaitingFiber {
  [kWaiting]?: object;
}

/** Whether `fiber` is suspended in wait() for a promise to settle. */
export function isWaiting(fiber: object): boolean {
  return (fiber as WaitingFiber)[kWaiting] !== undefined;
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Inside a fiber: suspends it until `value` settles, then returns the value or throws the
 * reason. The event loop keeps running meanwhile. A value that is not a thenable is returned as
 * it is.
 */
export function wait<T>(value: PromiseLike<T> | T): T {
  const fiber = binding.current() as (Fiber & WaitingFiber) | undefined;
  if (fiber === undefined) throw new Error("Can't wait without a fiber");
  if (!isThenable(value)) return value;
  // The token makes a late settlement harmless: if the fiber was reset or moved on, it is not
  // resumed (or restarted) by a promise it no longer waits for.
  const token = {};
  fiber[kWaiting] = token;
  noteSuspending(fiber);
  const resume = (method: 'run' | 'throwInto', result: unknown) => {
    if (fiber[kWaiting] !== token) return;
    fiber[kWaiting] = undefined;
    hooks.timeline?.ready(fiber.id);
    try {
      fiber[method](result);
    } catch (error) {
      // The fiber's function threw after this wait and nobody ran it synchronously to catch it:
      // it is uncaught, as node-fibers reports it.
      process.nextTick(() => {
        throw error;
      });
    }
  };
  value.then(
    (result) => resume('run', result),
    (reason) => resume('throwInto', reason),
  );
  try {
    return Fiber.yield() as T;
  } finally {
    if (fiber[kWaiting] === token) fiber[kWaiting] = undefined;
    resumedFromWait(fiber);
  }
}

/** Returns a function that calls `fn` and waits (inside a fiber) for the promise it returns. */
export function sync<Args extends unknown[], R>(
  fn: (...args: Args) => PromiseLike<R> | R,
): (...args: Args) => R {
  if (typeof fn !== 'function') throw new TypeError('sync() expects a function');
  return function (this: unknown, ...args: Args): R {
    return wait(fn.apply(this, args));
  };
}

/**
 * Runs `fn` in a new fiber, at once, until it first waits. Returns a promise of its result: the
 * bridge from async code into fiber code.
 */
export function spawn<T>(fn: () => T, options?: FiberOptions): Promise<Awaited<T>> {
  if (typeof fn !== 'function') throw new TypeError('spawn() expects a function');
  let resolve!: (value: Awaited<T>) => void;
  let reject!: (error: unknown) => void;
  // Made before the promise, so that bad options throw here, as new Fiber() does.
  const fiber: Fiber = new Fiber(
    () => {
      try {
        resolve(fn() as Awaited<T>);
      } catch (error) {
        stitchEscapeOf(fiber, error);
        hooks.fiberFailed?.(error);
        reject(error);
      }
    },
    spawnOptions(fn, spawn, options?.name),
  );
  return new Promise<Awaited<T>>((resolvePromise, rejectPromise) => {
    resolve = resolvePromise;
    reject = rejectPromise;
    fiber.run();
  });
}
