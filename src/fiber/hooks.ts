// The runtime's one surface for the layers above it. The stitcher, the profiler and the REPL
// register here; the runtime (src/fiber) never imports them. With nothing registered, fibers
// behave as node-fibers' did: errors keep V8's stack, nothing is recorded.

/** A function of any signature, as spawned in a fiber. */
export type AnyFunction = (...args: never[]) => unknown;

/** What a fiber runs: called with the value of its first run(), if one was given. */
export type FiberBody = (value?: unknown) => unknown;

/** The fiber an error crossed: its id, its name now, and what the stitcher recorded at its
 *  spawn. */
export interface CrossedFiber {
  id: number;
  name: string;
  record: unknown;
}

/** Where a fiber suspended itself, as the stitcher captured it. */
export interface WaitSite {
  stack?: string;
}

/**
 * Joins a fiber's frames, the frames that ran it and its spawn chain into errors' stacks
 * (src/stitch/install.ts registers fiberscope's). Called on the runtime's paths: spawn, rename,
 * a suspension while sites are recorded, and an error crossing a switch.
 */
export interface Stitcher {
  /** Whether stitched segments are appended to errors at all (configureStitching's `stacks`). */
  stacksOn(): boolean;
  /** Whether a new fiber should run inside a console.createTask() (for a debugger). */
  wantsDebuggerTask(): boolean;
  /** What a spawn of `fn` records, `caller` being the API function the user called. */
  recordSpawn(
    id: number,
    name: string,
    parent: unknown,
    fn: AnyFunction,
    caller: Function,
  ): unknown;
  /** The fiber of `record` was renamed. */
  renamed(record: unknown, name: string): void;
  /** Where the current fiber suspends: the frames below `above`. */
  captureWaitSite(above: Function): WaitSite;
  /** An error came out of a wait inside `fiber`, rethrown below `above`. */
  stitchWaitError(error: unknown, fiber: CrossedFiber, above: Function): void;
  /** An error escaped `fiber` to the code that ran it, below `above`. */
  stitchRunError(error: unknown, fiber: CrossedFiber, above: Function): void;
  /** An error escaped a fiber to the promise of whoever spawned it (`record`: its spawn record,
   *  undefined where none was taken). */
  stitchEscape(error: unknown, record: unknown): void;
  /** A suspended fiber's trace: its wait site, then its spawn chain. */
  suspendedTrace(site: WaitSite | undefined, fiber: CrossedFiber): string;
}

/** Told where fibers wait and when they become ready to run again, while a profiler listens. */
export interface FiberTimelineObserver {
  /** The current fiber is about to yield: called in Fiber.yield(), under its callers. */
  waiting(fiberId: number): void;
  /** What the fiber waited for has happened; it is about to be run. */
  ready(fiberId: number): void;
  /** The fiber runs again, in Fiber.yield(), under the same callers as at waiting(). */
  resumed(fiberId: number): void;
}

/** Called around each suspension of one fiber (the REPL's input fiber keeps the REPL's domain
 *  entered only while it runs). */
export interface SwitchListener {
  suspending(): void;
  resumed(): void;
}

/** What is registered. The runtime reads it on its hot paths, so it is one plain object. */
export const hooks: {
  /** The stitcher, or undefined: errors keep V8's stack. */
  stitcher: Stitcher | undefined;
  /** Told every fiber's id and name (and later names), and a named fiber's name again when it
   *  starts, while a profiler listens. */
  names: ((id: number, name: string) => void) | undefined;
  timeline: FiberTimelineObserver | undefined;
  /** Whether Fiber.yield() records where each fiber suspends (a stack capture per yield, on
   *  only while something shows it: the REPL's `.fibers`). */
  suspensionSites: boolean;
  /** How many fibers have a switch listener: with none, yield() does not look for them. */
  fibersWithListeners: number;
  /** Wraps the function of every new fiber (fiberscope/otel runs it in a span of its own). */
  fiberBody: ((body: FiberBody) => FiberBody) | undefined;
  /** Told, inside the fiber, of an error its function threw that spawn() hands to the
   *  spawner's promise (which fiberBody's wrapper does not see thrown). */
  fiberFailed: ((error: unknown) => void) | undefined;
} = {
  stitcher: undefined,
  names: undefined,
  timeline: undefined,
  suspensionSites: false,
  fibersWithListeners: 0,
  fiberBody: undefined,
  fiberFailed: undefined,
};

/** Registers fiberscope's stitcher (or another; `undefined`: none). */
export function setStitcher(stitcher: Stitcher | undefined): void {
  hooks.stitcher = stitcher;
}

/** @internal Where a fiber keeps its escape handler (see setEscapeHandler). */
export const kEscapeHandler = Symbol('fiberscope.escapeHandler');
/** @internal Where a fiber keeps its switch listener (see setSwitchListener). */
export const kSwitchListener = Symbol('fiberscope.switchListener');

interface HookedFiber {
  [kEscapeHandler]?: ((error: unknown) => void) | undefined;
  [kSwitchListener]?: SwitchListener | undefined;
}

/** What `fiber` throws at whoever resumes it goes to `handler` instead (the REPL's input fiber
 *  reports it), but for misuse of run() and its kin. `undefined` removes it. */
export function setEscapeHandler(
  fiber: object,
  handler: ((error: unknown) => void) | undefined,
): void {
  (fiber as HookedFiber)[kEscapeHandler] = handler;
}

/** Calls `listener` around each suspension of `fiber`. `undefined` removes it. */
export function setSwitchListener(fiber: object, listener: SwitchListener | undefined): void {
  const hooked = fiber as HookedFiber;
  const had = hooked[kSwitchListener] !== undefined;
  hooked[kSwitchListener] = listener;
  hooks.fibersWithListeners += (listener === undefined ? 0 : 1) - (had ? 1 : 0);
}
