import {
  carriesAsyncStack,
  FiberAsyncStack,
  popFiberEntries,
  pushFiberEntries,
  stackDepth,
} from './async-stack';
import { routeCredentialSetters } from './credentials';
import {
  type AnyFunction,
  type CrossedFiber,
  hooks,
  kEscapeHandler,
  kSwitchListener,
  type SwitchListener,
  type WaitSite,
} from './hooks';
import { binding, type NativeFiber } from './native';

export interface FiberOptions {
  /** Shown in stitched traces, profiles and `.fibers`. Defaults to `''`. */
  name?: string;
}

const kAsyncStack = Symbol('fiberscope.asyncStack');
const kSpawnRecord = Symbol('fiberscope.spawnRecord');
const kCreatedAt = Symbol('fiberscope.createdAt');
const kSuspension = Symbol('fiberscope.suspension');
const kSpawnedBy = Symbol('fiberscope.spawnedBy');
const kSuspendedAt = Symbol('fiberscope.suspendedAt');
const kOnResume = Symbol('fiberscope.onResume');
/** What probeWaitSite() resumes a fiber with: it captures its frames and yields them back. */
const PROBE = Symbol('fiberscope.probe');
interface SpawnOptions extends FiberOptions {
  [kSpawnedBy]?: { fn: AnyFunction; caller: Function };
}

/** @internal Fiber options for fiberscope's own spawning functions (the node-fibers Fiber(),
 *  spawn(), Future): `fn` is the user's function and `caller` the API function the user called,
 *  for the spawn site. */
export function spawnOptions(fn: AnyFunction, caller: Function, name?: unknown): FiberOptions {
  const options: SpawnOptions = { [kSpawnedBy]: { fn, caller } };
  if (name !== undefined) options.name = name as string;
  return options;
}

/** Where a fiber last suspended itself, and when (recorded while `hooks.suspensionSites`). */
export interface Suspension {
  site: WaitSite;
  sinceMs: number;
}

// The codes of the errors the addon throws for misuse of run(), throwInto() and reset(): they
// did not come out of the fiber, so they are not stitched with the caller's side.
const MISUSE = new Set(['ERR_FIBER_RUNNING', 'ERR_FIBER_NOT_YIELDING', 'ERR_FIBER_ARGUMENTS']);
/** The code of the error that reset() (and garbage collection) throw into a fiber to unwind it. */
const ZOMBIE = 'ERR_FIBER_ZOMBIE';

function codeOf(error: unknown): unknown {
  return error instanceof Error ? (error as { code?: unknown }).code : undefined;
}

/** Whether `error` is the one that unwinds a fiber being reset (or collected), not a failure. */
export function isUnwinding(error: unknown): boolean {
  return codeOf(error) === ZOMBIE;
}

const nativeYield = binding.yield;

type NativeMethod = (this: NativeFiber, value?: unknown) => unknown;
const nativeRun = binding.Fiber.prototype.run as NativeMethod;
const nativeThrowInto = binding.Fiber.prototype.throwInto as NativeMethod;
const nativeReset = binding.Fiber.prototype.reset as NativeMethod;
/** Stands for "called with no argument", which the addon tells apart from `undefined`. */
const NO_ARGUMENT = Symbol('fiberscope.noArgument');

function callNative(method: NativeMethod, fiber: NativeFiber, value: unknown, args: IArguments) {
  if (args.length > 1) return Reflect.apply(method, fiber, args);
  return value === NO_ARGUMENT ? method.call(fiber) : method.call(fiber, value);
}

// console.createTask() (V8's async stack tagging) lets a debugger paused inside a fiber show
// where the fiber was spawned, as its async stack.
const createTask = (console as { createTask?: (name: string) => { run<T>(fn: () => T): T } })
  .createTask;

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
  /** Where this fiber and its nearest ancestors were spawned, for stitched traces. */
  [kSpawnRecord]: unknown;
  [kCreatedAt] = Date.now();
  [kSuspension]: Suspension | undefined;
  [kSuspendedAt]: number | undefined;
  [kOnResume]: (() => void) | undefined;
  [kEscapeHandler]: ((error: unknown) => void) | undefined;
  [kSwitchListener]: SwitchListener | undefined;

  constructor(fn: (value?: any) => unknown, options?: FiberOptions) {
    const name = options?.name ?? '';
    if (typeof name !== 'string') throw new TypeError('Expected the "name" option to be a string');
    if (typeof fn !== 'function') throw new TypeError('Fiber expects a function');
    let body = fn;
    const stitcher = hooks.stitcher;
    if (createTask !== undefined && stitcher?.wantsDebuggerTask()) {
      const task = createTask(name === '' ? 'fiber' : name);
      body = function (this: unknown, ...args: unknown[]) {
        return task.run(() => Reflect.apply(fn, this, args));
      };
    }
    if (hooks.fiberBody !== undefined) body = hooks.fiberBody(body);
    super(body);
    this.#name = name;
    const parent = binding.current() as Fiber | undefined;
    if (stitcher !== undefined) {
      const spawnedBy = (options as SpawnOptions | undefined)?.[kSpawnedBy];
      this[kSpawnRecord] = stitcher.recordSpawn(
        this.id,
        name,
        parent?.[kSpawnRecord],
        spawnedBy?.fn ?? fn,
        spawnedBy?.caller ?? new.target,
      );
    }
    if (carriesAsyncStack) (this as WithAsyncStack)[kAsyncStack] = new FiberAsyncStack();
    hooks.names?.(this.id, name);
  }

  /** A name for people: shown in traces, profiles and the REPL. */
  get name(): string {
    return this.#name;
  }

  set name(value: string) {
    if (typeof value !== 'string') throw new TypeError('Fiber name must be a string');
    this.#name = value;
    if (this[kSpawnRecord] !== undefined) hooks.stitcher?.renamed(this[kSpawnRecord], value);
    hooks.names?.(this.id, value);
  }

  /**
   * Starts the fiber, or resumes it where it yielded with `value` as the result of its yield().
   * Returns what it yields or returns next; what it throws is thrown here, stitched with the
   * frames of this call.
   */
  override run(value?: unknown): any {
    // A profiler started after this fiber was named learns the name when the fiber starts.
    if (hooks.names !== undefined && this.#name !== '' && !this.started) {
      hooks.names(this.id, this.#name);
    }
    try {
      // The argument count matters: run() calls the fiber function with no argument.
      return this.#switchIn(nativeRun, arguments.length === 0 ? NO_ARGUMENT : value, arguments);
    } catch (error) {
      this.#stitchEscape(error, Fiber.prototype.run);
      return this.#escape(error);
    }
  }

  /** Resumes the fiber by throwing `error` at its yield(). Returns and throws as run() does. */
  override throwInto(error?: unknown): any {
    try {
      return this.#switchIn(
        nativeThrowInto,
        arguments.length === 0 ? NO_ARGUMENT : error,
        arguments,
      );
    } catch (thrown) {
      this.#stitchEscape(thrown, Fiber.prototype.throwInto);
      return this.#escape(thrown);
    }
  }

  /** Unwinds a suspended fiber (node-fibers' reset()): see docs/api/fiber.md (fiber.reset()). */
  override reset(): any {
    // biome-ignore lint/complexity/noArguments: the addon tells reset() from reset(x)
    return this.#switchIn(
      nativeReset,
      arguments.length === 0 ? NO_ARGUMENT : arguments[0],
      arguments,
    );
  }

  /**
   * Calls the addon's `method` on this fiber with `value` (none for NO_ARGUMENT; with more than
   * one argument, all of `args`, for the addon's own error). On Node 20 and 22 the fiber's own
   * entries of Node's async id stack go on top of the caller's while it runs (async-stack.ts).
   */
  #switchIn(method: NativeMethod, value: unknown, args: IArguments): unknown {
    const stack = (this as WithAsyncStack)[kAsyncStack];
    if (stack === undefined) return callNative(method, this, value, args);
    const depth = stackDepth();
    pushFiberEntries(stack);
    try {
      return callNative(method, this, value, args);
    } finally {
      popFiberEntries(stack, depth);
    }
  }

  #escape(error: unknown): undefined {
    const handler = this[kEscapeHandler];
    if (handler === undefined || MISUSE.has(codeOf(error) as string)) throw error;
    handler(error);
    return undefined;
  }

  /** When the fiber was created (Date.now()). */
  get createdAt(): number {
    return this[kCreatedAt];
  }

  /** Where the fiber last suspended itself, while suspension sites are recorded. */
  get suspension(): Suspension | undefined {
    return this[kSuspension];
  }

  #stitchEscape(error: unknown, above: Function): void {
    const code = codeOf(error);
    if (MISUSE.has(code as string) || code === ZOMBIE) return;
    hooks.stitcher?.stitchRunError(error, crossed(this), above);
  }

  /** The fiber whose code is running now, or `undefined` outside of fibers. */
  static get current(): Fiber | undefined {
    return binding.current() as Fiber | undefined;
  }

  /**
   * Suspends the current fiber. `value` becomes the result of the `run()` that resumed it; the
   * next `run(x)` makes this call return `x` (or throw, for `throwInto`).
   */
  static yield(value?: unknown): any {
    // The current fiber is looked up (a native call) only when something is on that needs it.
    const fiber =
      hooks.suspensionSites || hooks.fibersWithListeners > 0
        ? (binding.current() as Fiber | undefined)
        : undefined;
    if (fiber !== undefined && hooks.suspensionSites && hooks.stitcher !== undefined) {
      fiber[kSuspension] = {
        site: hooks.stitcher.captureWaitSite(Fiber.yield),
        sinceMs: Date.now(),
      };
    }
    const observer = hooks.timeline;
    let observedId = 0;
    if (observer !== undefined) {
      observedId = binding.currentId();
      if (observedId !== 0) observer.waiting(observedId);
    }
    const listener = fiber?.[kSwitchListener];
    listener?.suspending();
    try {
      let resumedWith: unknown;
      if (arguments.length === 0) resumedWith = nativeYield();
      else if (arguments.length === 1) resumedWith = nativeYield(value);
      else resumedWith = Reflect.apply(nativeYield, undefined, arguments);
      while (resumedWith === PROBE) resumedWith = nativeYield(probedSite());
      return resumedWith;
    } catch (error) {
      stitchAtWait(error, Fiber.yield);
      throw error;
    } finally {
      listener?.resumed();
      if (observedId !== 0) hooks.timeline?.resumed(observedId);
    }
  }

  /** How many finished fibers' threads are kept for reuse. */
  static get poolSize(): number {
    return binding.getPoolSize();
  }

  static set poolSize(size: number) {
    binding.setPoolSize(size);
  }

  /**
   * User mode: how many parked threads a background thread keeps ready for new fibers (at most
   * `poolSize`), so that spawning rarely waits for a thread to be made. Default 16;
   * `FIBERSCOPE_SPARE_THREADS` sets it at start-up. Kernel mode makes no spares.
   */
  static get spareThreads(): number {
    return binding.getSpareThreads();
  }

  static set spareThreads(count: number) {
    binding.setSpareThreads(count);
  }

  /** How many threads fibers have needed so far (a thread from the pool is not counted again). */
  static get fibersCreated(): number {
    return binding.threadStats().threadsCreated;
  }

  /**
   * How fibers switch in this process: `'user'` (the default on Linux x86-64 and arm64 with
   * glibc) switches stacks and TLS on the thread that holds the isolate, with no kernel context
   * switch; `'kernel'` hands the isolate from one OS thread to another. `FIBERSCOPE_SWITCH=kernel`
   * asks for the kernel mode; it is also used where the user-space switch cannot work
   * (`Fiber.switchModeReason` says why).
   */
  static get switchMode(): 'user' | 'kernel' {
    return switchMode[0];
  }

  /** Why the kernel mode runs although it was not asked for, or `''`. */
  static get switchModeReason(): string {
    return switchMode[1];
  }

  /**
   * Kernel mode only: whether the isolate's threads (the main thread and its fibers) share one
   * CPU, chosen when the first fiber starts. On by default there: a switch between threads on one
   * CPU is a plain context switch, across CPUs it waits for the other CPU to wake.
   * `FIBERSCOPE_PIN_THREADS=0` turns it off at start-up. In user mode every fiber runs on the
   * thread that holds the isolate, and nothing is ever pinned, whatever this says.
   */
  static get pinThreads(): boolean {
    return binding.getPinThreads();
  }

  static set pinThreads(value: boolean) {
    binding.setPinThreads(value);
  }
}

const wantedSwitch = process.env.FIBERSCOPE_SWITCH;
if (wantedSwitch !== undefined && !['', 'user', 'kernel'].includes(wantedSwitch)) {
  throw new RangeError(
    `FIBERSCOPE_SWITCH must be "user" or "kernel", not ${JSON.stringify(wantedSwitch)}`,
  );
}
const switchMode = binding.switchMode();
if (switchMode[0] === 'user') routeCredentialSetters();

if (process.env.FIBERSCOPE_PIN_THREADS === '0') binding.setPinThreads(false);
const spareThreads = process.env.FIBERSCOPE_SPARE_THREADS;
if (spareThreads !== undefined && spareThreads !== '') {
  if (!/^\d+$/.test(spareThreads)) {
    throw new RangeError(
      `FIBERSCOPE_SPARE_THREADS must be a non-negative integer, not ${JSON.stringify(spareThreads)}`,
    );
  }
  binding.setSpareThreads(Number(spareThreads));
}

binding.setOrphanErrorHandler((error) => {
  process.nextTick(() => {
    throw error;
  });
});

function crossed(fiber: Fiber): CrossedFiber {
  return { id: fiber.id, name: fiber.name, record: fiber[kSpawnRecord] };
}

/**
 * An error is being rethrown inside the current fiber where it waited (a yield resumed by
 * throwInto, Future#get after a wait): appends the fiber's frames there and its spawn chain.
 */
export function stitchAtWait(error: unknown, above: Function): void {
  const stitcher = hooks.stitcher;
  if (stitcher === undefined) return;
  const fiber = binding.current() as Fiber | undefined;
  if (fiber === undefined) return;
  if (codeOf(error) === ZOMBIE) return;
  stitcher.stitchWaitError(error, crossed(fiber), above);
}

/** An error escaped `fiber` to its spawner through a promise: appends the spawn chain. */
export function stitchEscapeOf(fiber: Fiber, error: unknown): void {
  hooks.stitcher?.stitchEscape(error, fiber[kSpawnRecord]);
}

/** Whether errors get stitched segments (a stitcher is registered and its stacks are on). */
export function stitchesStacks(): boolean {
  return hooks.stitcher?.stacksOn() === true;
}

/** Notes that `fiber` suspends now (wait(), Future.wait()), for how long it has waited. */
export function noteSuspending(fiber: Fiber): void {
  fiber[kSuspendedAt] = Date.now();
}

/** Calls `callback` once, when `fiber` next returns from wait() or Future.wait() (the
 *  watchdog's report of a long wait that ended). */
export function onResumeFromWait(fiber: Fiber, callback: (() => void) | undefined): void {
  fiber[kOnResume] = callback;
}

/** `fiber` returned from wait() or Future.wait(): its suspension's start is forgotten (a later
 *  bare Fiber.yield() has none), and the resume callback called. */
export function resumedFromWait(fiber: Fiber): void {
  fiber[kSuspendedAt] = undefined;
  const callback = fiber[kOnResume];
  if (callback === undefined) return;
  fiber[kOnResume] = undefined;
  callback();
}

/** When `fiber` last suspended itself (Date.now()), where known. */
export function suspendedSince(fiber: Fiber): number | undefined {
  return fiber[kSuspension]?.sinceMs ?? fiber[kSuspendedAt];
}

function probedSite(): WaitSite {
  // Whatever goes wrong here must not come out of the probed fiber's yield().
  try {
    return hooks.stitcher?.captureWaitSite(Fiber.yield) ?? {};
  } catch {
    return {};
  }
}

/**
 * Where a suspended fiber is now: resumes it just long enough for Fiber.yield() to capture its
 * frames and yield them back; none of its own code runs, and no hook (timeline, switch listener)
 * is told (the addon's event recorder sees a run and a yield). Only from code that may run a
 * fiber (not inside an interrupt of running JavaScript).
 */
export function probeWaitSite(fiber: Fiber): WaitSite {
  return nativeRun.call(fiber, PROBE) as WaitSite;
}

/** The stitched trace of where `fiber` is suspended: its wait site, then its spawn chain
 *  (empty without a stitcher). */
export function suspendedTraceOf(fiber: Fiber, site = fiber[kSuspension]?.site): string {
  return hooks.stitcher?.suspendedTrace(site, crossed(fiber)) ?? '';
}
