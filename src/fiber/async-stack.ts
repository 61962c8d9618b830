// Keeps Node's async context (the async id stack that AsyncLocalStorage, executionAsyncId() and
// AsyncResource use) separate per fiber on Node versions that expose it to JavaScript (20, 22).
//
// Node has one async id stack per environment, but fibers interleave: a fiber that yields inside
// `als.run()` or `resource.runInAsyncScope()` would leave its entries on top of whoever ran it.
// So every run() pushes the fiber's own entries (at first: one base entry carrying the
// AsyncLocalStorage stores of the place the fiber was created) and, when the fiber gives control
// back, pops whatever it left above the runner's depth and keeps it for the next run().
//
// On Node 24 AsyncLocalStorage lives in V8's continuation-preserved embedder data, which the
// addon saves and restores at every switch. The async id stack is out of JavaScript's reach
// there, so inside a fiber AsyncResource#runInAsyncScope() switches only the AsyncLocalStorage
// frame, and executionAsyncId() in a fiber is the id of the code that ran or resumed it.

import {
  AsyncResource,
  executionAsyncId,
  executionAsyncResource,
  triggerAsyncId,
} from 'node:async_hooks';
import { binding } from './native';

interface AsyncWrapBinding {
  pushAsyncContext(asyncId: number, triggerAsyncId: number): void;
  popAsyncContext(asyncId: number): boolean;
  async_hook_fields: Uint32Array;
  async_id_fields: Float64Array;
  execution_async_resources: object[];
  constants: { kStackLength: number; kExecutionAsyncId: number; kTriggerAsyncId: number };
}

/** Entries of Node's async id stack, bottom first. */
export interface AsyncStackEntries {
  ids: number[];
  triggers: number[];
  resources: object[];
}

function loadAsyncWrap(): AsyncWrapBinding | undefined {
  if (Number(process.versions.node.split('.')[0]) >= 24) return undefined;
  const proc = process as unknown as { binding(name: string): unknown; noDeprecation?: boolean };
  // process.binding('async_wrap') warns once (DEP0111); this runtime is the reason it is read.
  const quiet = proc.noDeprecation;
  proc.noDeprecation = true;
  try {
    const asyncWrap = proc.binding('async_wrap') as AsyncWrapBinding;
    if (typeof asyncWrap.pushAsyncContext !== 'function' || !asyncWrap.async_hook_fields) {
      return undefined;
    }
    return asyncWrap;
  } catch {
    return undefined;
  } finally {
    proc.noDeprecation = quiet;
  }
}

const asyncWrap = loadAsyncWrap();

/** Whether run() must carry the async stack across switches on this Node version. */
export const carriesAsyncStack = asyncWrap !== undefined;

/** The base entry of a new fiber: the creator's async ids and a resource of its own that starts
 *  with the creator's AsyncLocalStorage stores. */
export function captureSpawnContext(): AsyncStackEntries {
  const resource: Record<symbol, unknown> = {};
  const current = executionAsyncResource() as Record<symbol, unknown>;
  for (const key of Object.getOwnPropertySymbols(current)) resource[key] = current[key];
  return { ids: [executionAsyncId()], triggers: [triggerAsyncId()], resources: [resource] };
}

export function stackDepth(): number {
  const wrap = asyncWrap as AsyncWrapBinding;
  return wrap.async_hook_fields[wrap.constants.kStackLength];
}

export function pushEntries(entries: AsyncStackEntries): void {
  const wrap = asyncWrap as AsyncWrapBinding;
  const fields = wrap.async_hook_fields;
  const { kStackLength } = wrap.constants;
  for (let i = 0; i < entries.ids.length; i++) {
    wrap.execution_async_resources[fields[kStackLength]] = entries.resources[i];
    wrap.pushAsyncContext(entries.ids[i], entries.triggers[i]);
  }
}

/** Pops every entry above `depth` and returns them, bottom first. */
export function popEntriesAbove(depth: number): AsyncStackEntries {
  const wrap = asyncWrap as AsyncWrapBinding;
  const { kExecutionAsyncId, kTriggerAsyncId } = wrap.constants;
  const entries: AsyncStackEntries = { ids: [], triggers: [], resources: [] };
  while (stackDepth() > depth) {
    const id = wrap.async_id_fields[kExecutionAsyncId];
    entries.ids.unshift(id);
    entries.triggers.unshift(wrap.async_id_fields[kTriggerAsyncId]);
    entries.resources.unshift(executionAsyncResource());
    wrap.popAsyncContext(id);
  }
  return entries;
}

/** Node 24+: runInAsyncScope() inside a fiber must not push onto Node's async id stack, or a
 *  fiber that yields inside it leaves its entry on top of whoever ran it. */
function scopeResourcesByFrameOnly(): void {
  const frameSymbol = Object.getOwnPropertySymbols(new AsyncResource('fiberscope.probe')).find(
    (symbol) => symbol.description === 'context_frame',
  );
  if (frameSymbol === undefined) return;
  const proto = AsyncResource.prototype as AsyncResource & Record<symbol, unknown>;
  const original = proto.runInAsyncScope;
  Object.defineProperty(proto, 'runInAsyncScope', {
    value: function runInAsyncScope(
      this: AsyncResource & Record<symbol, unknown>,
      fn: (...args: unknown[]) => unknown,
      thisArg?: unknown,
      ...args: unknown[]
    ): unknown {
      if (binding.currentId() === 0) return Reflect.apply(original, this, [fn, thisArg, ...args]);
      const prior = binding.exchangeAsyncContext(this[frameSymbol]);
      try {
        return Reflect.apply(fn, thisArg, args);
      } finally {
        binding.exchangeAsyncContext(prior);
      }
    },
    writable: true,
    configurable: true,
  });
}

if (asyncWrap === undefined) scopeResourcesByFrameOnly();
