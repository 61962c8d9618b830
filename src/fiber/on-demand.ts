// The runtime as reached by the parts of the layers above that also work without it (the
// profiler, fiberscope/pino): loaded on first use, so that their importers, exporters and
// serializers work where the addon cannot load. A failure is kept: asking again costs nothing.
import type { FiberEventRecorder } from './events';
import type { Fiber } from './fiber';
import type { Binding } from './native';

export interface FiberRuntime {
  binding: Binding;
  Fiber: typeof Fiber;
  FiberEventRecorder: typeof FiberEventRecorder;
}

let runtime: FiberRuntime | undefined;
let failure: { error: unknown } | undefined;

/** The runtime; throws the addon's load error (load-addon.ts) where it cannot load. */
export function fiberRuntime(): FiberRuntime {
  if (runtime !== undefined) return runtime;
  if (failure !== undefined) throw failure.error;
  try {
    runtime = {
      binding: (require('./native') as typeof import('./native')).binding,
      Fiber: (require('./fiber') as typeof import('./fiber')).Fiber,
      FiberEventRecorder: (require('./events') as typeof import('./events')).FiberEventRecorder,
    };
    return runtime;
  } catch (error) {
    failure = { error };
    throw error;
  }
}

/** The runtime, or undefined where it cannot load. */
export function fiberRuntimeIfAvailable(): FiberRuntime | undefined {
  try {
    return fiberRuntime();
  } catch {
    return undefined;
  }
}
