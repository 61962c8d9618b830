import {
  carriesAsyncStack,
  FiberAsyncStack,
  popFiberEntries,
  pushFiberEntries,
  stackDepth,
} from './async-stack';
import { binding, type NativeFiber } from './native';

export interface FiberOptions {
  /** Shown in stitched traces, profiles and `.fibers`. Defaults to `''`. */
  name?: string;
}

const kAsyncStack = Symbol('fiberscope.asyncStack');

interface WithAsyncStack {
  [kAsyncStack]?: FiberAsyncStack;
}

/**
 * A function running on a stack of its own, which it can suspend with `Fiber.yield()` (or
 * `wait()`) and which `run()` resumes. One fiber runs at a time; the event loop keeps turning
 * while fibers are suspended.
 */
export class Fiber extends binding.Fiber {
  #name: string;

  constructor(fn: (value?: any) => unknown, options?: FiberOptions) {
    super(fn);
    const name = options?.name ?? '';
    if (typeof name !== 'string') throw new TypeError('Expected the "name" option to be a string');
    this.#name = name;
    if (carriesAsyncStack) (this as WithAsyncStack)[kAsyncStack] = new FiberAsyncStack();
  }

  /** A name for people: shown in traces, profiles and the REPL. */
  get name(): string {
    return this.#name;
  }

  set name(value: string) {
    if (typeof value !== 'string') throw new TypeError('Fiber name must be a string');
    this.#name = value;
  }

  /** The fiber whose code is running now, or `undefined` outside of fibers. */
  static get current(): Fiber | undefined {
    return binding.current() as Fiber | undefined;
  }

  /**
   * Suspends the current fiber. `value` becomes the result of the `run()` that resumed it; the
   * next `run(x)` makes this call return `x` (or throw, for `throwInto`).
   */
  static yield: (value?: unknown) => any = binding.yield;

  /** How many finished fibers' threads are kept for reuse. */
  static get poolSize(): number {
    return binding.getPoolSize();
  }

  static set poolSize(size: number) {
    binding.setPoolSize(size);
  }

  /** How many threads fibers have needed so far (a thread from the pool is not counted again). */
  static get fibersCreated(): number {
    return binding.threadStats().threadsCreated;
  }

  /**
   * Whether the isolate's threads (the main thread and its fibers) share one CPU, chosen when
   * the first fiber starts. On by default: a switch between threads on one CPU is a plain context
   * switch, across CPUs it waits for the other CPU to wake. `FIBERSCOPE_PIN_THREADS=0` turns it
   * off at start-up.
   */
  static get pinThreads(): boolean {
    return binding.getPinThreads();
  }

  static set pinThreads(value: boolean) {
    binding.setPinThreads(value);
  }
}

if (process.env.FIBERSCOPE_PIN_THREADS === '0') binding.setPinThreads(false);

binding.setOrphanErrorHandler((error) => {
  process.nextTick(() => {
    throw error;
  });
});

if (carriesAsyncStack) {
  // Each switch into a fiber brings its async stack entries; each switch back takes them away.
  const proto = binding.Fiber.prototype;
  const withAsyncStack = (method: (this: NativeFiber, ...args: unknown[]) => unknown) =>
    function (this: NativeFiber & WithAsyncStack, value?: unknown): unknown {
      const stack = this[kAsyncStack];
      if (stack === undefined) return Reflect.apply(method, this, arguments);
      const depth = stackDepth();
      pushFiberEntries(stack);
      try {
        // The argument count matters: run() calls the fiber function with no argument.
        if (arguments.length === 0) return method.call(this);
        if (arguments.length === 1) return method.call(this, value);
        return Reflect.apply(method, this, arguments);
      } finally {
        popFiberEntries(stack, depth);
      }
    };
  for (const name of ['run', 'throwInto', 'reset'] as const) {
    const method = proto[name] as (this: NativeFiber, ...args: unknown[]) => unknown;
    Object.defineProperty(proto, name, {
      value: withAsyncStack(method),
      writable: true,
      configurable: true,
    });
  }
}
