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
  async_ids_stack: Float64Array;
  execution_async_resources: object[];
  constants: { kStackLength: number; kExecutionAsyncId: number; kTriggerAsyncId: number };
}

function loadAsyncWrap(): AsyncWrapBinding | undefined {
  if (Number(process.versions.node.split('.')[0]) >= 24) return undefined;
  const proc = process as unknown as { binding(name: string): unknown; noDeprecation?: boolean };
  // process.binding('async_wrap') warns once (DEP0111); this runtime is the reason it is read.
  const quiet = proc.noDeprecation;
  proc.noDeprecation = true;
  try {
    const asyncWrap = proc.binding('async_wrap') as AsyncWrapBinding;
    if (
      typeof asyncWrap.pushAsyncContext !== 'function' ||
      !asyncWrap.async_hook_fields ||
      !asyncWrap.async_ids_stack
    ) {
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

/**
 * A fiber's own entries of Node's async id stack, bottom first, kept while it is suspended.
 * The arrays are reused from switch to switch: a switch usually moves exactly one entry.
 */
export class FiberAsyncStack {
  count = 1;
  ids: number[];
  triggers: number[];
  resources: object[];

  /** The base entry: the creator's async ids and a resource of the fiber's own that starts with
   *  the creator's AsyncLocalStorage stores. */
  constructor() {
    const resource: Record<symbol, unknown> = {};
    const current = executionAsyncResource() as Record<symbol, unknown>;
    for (const key of Object.getOwnPropertySymbols(current)) resource[key] = current[key];
    this.ids = [executionAsyncId()];
    this.triggers = [triggerAsyncId()];
    this.resources = [resource];
  }
}

const { kStackLength, kExecutionAsyncId, kTriggerAsyncId } = asyncWrap?.constants ?? {
  kStackLength: 0,
  kExecutionAsyncId: 0,
  kTriggerAsyncId: 0,
};
const hookFields = asyncWrap?.async_hook_fields ?? new Uint32Array(1);
const idFields = asyncWrap?.async_id_fields ?? new Float64Array(1);

export function stackDepth(): number {
  return hookFields[kStackLength];
}

/** Pushes the fiber's entries on top of whoever runs it, the way Node's own pushAsyncContext()
 *  does (through the native binding only when the id stack must grow). */
export function pushFiberEntries(stack: FiberAsyncStack): void {
  const wrap = asyncWrap as AsyncWrapBinding;
  for (let i = 0; i < stack.count; i++) {
    const offset = hookFields[kStackLength];
    wrap.execution_async_resources[offset] = stack.resources[i];
    const idStack = wrap.async_ids_stack;
    if (offset * 2 >= idStack.length) {
      wrap.pushAsyncContext(stack.ids[i], stack.triggers[i]);
      continue;
    }
    idStack[offset * 2] = idFields[kExecutionAsyncId];
    idStack[offset * 2 + 1] = idFields[kTriggerAsyncId];
    hookFields[kStackLength] = offset + 1;
    idFields[kExecutionAsyncId] = stack.ids[i];
    idFields[kTriggerAsyncId] = stack.triggers[i];
  }
}

/** Takes every entry above `depth` off Node's stack and keeps it in `stack`, bottom first. */
export function popFiberEntries(stack: FiberAsyncStack, depth: number): void {
  const wrap = asyncWrap as AsyncWrapBinding;
  const count = hookFields[kStackLength] - depth;
  stack.count = count > 0 ? count : 0;
  for (let i = count - 1; i >= 0; i--) {
    const id = idFields[kExecutionAsyncId];
    stack.ids[i] = id;
    stack.triggers[i] = idFields[kTriggerAsyncId];
    const offset = hookFields[kStackLength] - 1;
    const resources = wrap.execution_async_resources;
    if (resources.length === offset + 1) {
      // Pushed from JavaScript (pushFiberEntries, or Node's own JavaScript): popped the way
      // Node's JavaScript pops it, without a call into the binding.
      stack.resources[i] = resources[offset];
      idFields[kExecutionAsyncId] = wrap.async_ids_stack[offset * 2];
      idFields[kTriggerAsyncId] = wrap.async_ids_stack[offset * 2 + 1];
      resources.pop();
      hookFields[kStackLength] = offset;
      continue;
    }
    stack.resources[i] = executionAsyncResource();
    // The binding's pop also drops a resource that native code pushed (MakeCallback in a fiber).
    wrap.popAsyncContext(id);
  }
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
