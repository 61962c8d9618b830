// Every fiber alive in this isolate, for the REPL's `.fibers` and attach.
import { Fiber, suspendedTraceOf } from './fiber';
import { binding } from './native';
import { isWaiting } from './wait';

export type LiveFiberState = 'running' | 'waiting' | 'suspended';

export interface LiveFiber {
  fiber: Fiber;
  id: number;
  name: string;
  /** running: it, or a fiber it runs, holds the isolate; waiting: in wait() for a promise;
   *  suspended: yielded by other means (Fiber.yield, Future). */
  state: LiveFiberState;
  ageMs: number;
  /** How long it has been suspended, when suspension sites were being recorded. */
  suspendedMs: number | undefined;
  /** Where it is suspended (when recorded) and its spawn chain, as stitched trace lines. */
  trace: string;
}

/** Fibers that have started and not finished, oldest first. */
export function liveFibers(): LiveFiber[] {
  const now = Date.now();
  const fibers: LiveFiber[] = [];
  for (const [fiber, running] of binding.liveFibers()) {
    if (!(fiber instanceof Fiber)) continue;
    const state: LiveFiberState = running ? 'running' : isWaiting(fiber) ? 'waiting' : 'suspended';
    const suspension = running ? undefined : fiber.suspension;
    fibers.push({
      fiber,
      id: fiber.id,
      name: fiber.name,
      state,
      ageMs: now - fiber.createdAt,
      suspendedMs: suspension === undefined ? undefined : now - suspension.sinceMs,
      trace: running ? '' : suspendedTraceOf(fiber),
    });
  }
  return fibers.sort((a, b) => a.id - b.id);
}
