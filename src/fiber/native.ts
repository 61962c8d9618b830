// Loads the addon once. Everything else in src/ reaches native code through this module.
import path from 'node:path';
import { interruptError } from './interrupt-error';
import { loadAddon } from './load-addon';

/** A fiber as the addon sees it: the methods every Fiber object has. */
export interface NativeFiber {
  run(value?: unknown): unknown;
  throwInto(error?: unknown): unknown;
  reset(): unknown;
  readonly started: boolean;
  readonly id: number;
}

export interface NativeFiberConstructor {
  new (fn: (value?: unknown) => unknown): NativeFiber;
  readonly prototype: NativeFiber;
}

export interface ThreadStats {
  threadsCreated: number;
  idleThreads: number;
  liveFibers: number;
  /** The CPU the isolate's threads are pinned to, or -1. */
  pinnedCpu: number;
}

/** What the native sampler recorded since the last take; see native/profiler/sample_chunk.h. */
export interface NativeSamples {
  startNs: number;
  /** The samples' weights cover the time up to here. */
  endNs: number;
  /** The id of `frames[0]`: frame ids are global, earlier frames came with earlier takes. */
  firstFrame: number;
  /** [functionName, url, line, column, scriptId], lines and columns 1-based. */
  frames: Array<[string, string, number, number, number]>;
  /** The id of the first stack in `stacks`: stack ids are global, like frame ids. */
  firstStack: number;
  /** Two numbers a stack: its parent stack's id (-1 for an outermost frame) and its innermost
   *  frame's id. */
  stacks: Int32Array;
  /** Five numbers a sample: timeNs, weightNs, threadId, kind (0 JavaScript, 1 idle, 2 garbage
   *  collection), stack (-1 when empty): a chunk's sample order. */
  samples: Float64Array;
}

export interface Binding {
  Fiber: NativeFiberConstructor;
  yield(value?: unknown): unknown;
  current(): NativeFiber | undefined;
  currentId(): number;
  getPoolSize(): number;
  setPoolSize(size: number): void;
  getSpareThreads(): number;
  setSpareThreads(count: number): void;
  threadStats(): ThreadStats;
  /** How fibers switch, and why the kernel mode runs where it was not asked for (or ''). */
  switchMode(): ['user' | 'kernel', string];
  /** Calls fn() where the current fiber's TLS and kernel thread agree (see credentials.ts). */
  onOwnThread<T>(fn: () => T): T;
  /** [file, line, column] (1-based) where `fn` is defined, bound functions followed; undefined
   *  for builtins. */
  functionLocation(fn: (...args: never[]) => unknown): [string, number, number] | undefined;
  getPinThreads(): boolean;
  setPinThreads(value: boolean): void;
  enableEvents(capacity: number): void;
  disableEvents(): void;
  drainEvents(into: Float64Array): number;
  eventsDropped(): number;
  setOrphanErrorHandler(handler: (error: unknown) => void): void;
  /** What makes the error a fiber stopped by Ctrl-C throws at its resumer. */
  setInterruptErrorFactory(factory: () => unknown): void;
  exchangeAsyncContext(frame: unknown): unknown;
  startSampling(intervalUs: number, maxDepth: number): void;
  stopSampling(): NativeSamples;
  /** Ctrl-C terminates `fiber` while it holds the isolate (native/repl/sigint_watch.h). */
  watchSigint(fiber: NativeFiber): void;
  unwatchSigint(): void;
  /** Whether a SIGINT arrived since the watch last handed one out. */
  claimSigint(): boolean;
  /** As if SIGINT had arrived; false when no watch is armed. */
  raiseSigint(): boolean;
  /** While on (calls nest), interrupts pending at a switch reach the thread taking the isolate. */
  forwardInterrupts(on: boolean): void;
  /** [fiber, running] for each started, unfinished fiber. */
  liveFibers(): Array<[NativeFiber, boolean]>;
  takeSamples(): NativeSamples;
  /** The frame id of the innermost caller whose script does not start with `ownPrefix`, or -1. */
  internCaller(ownPrefix: string): number;
}

// dist/fiber/native.js and src/fiber/native.ts both sit two folders below the package root.
export const binding: Binding = loadAddon(path.join(__dirname, '..', '..'));
binding.setInterruptErrorFactory(interruptError);
