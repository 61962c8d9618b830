// Every fiber alive in this isolate, for the REPL's `.fibers`, attach and fiberscope/diagnostics.
import { Fiber, probeWaitSite, suspendedSince, suspendedTraceOf } from './fiber';
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
  /** How long it has been suspended: known for wait() and Future.wait(), and for any
   *  suspension while suspension sites are recorded. */
  suspendedMs: number | undefined;
  /** Where it is suspended (probed or recorded) and its spawn chain, as stitched trace lines. */
  trace: string;
}

export interface LiveFiberOptions {
  /** Resume each suspended fiber for an instant to capture where it is suspended
   *  (probeWaitSite): only from code that may run fibers, never inside an interrupt of running
   *  JavaScript. Otherwise the sites recorded while `hooks.suspensionSites` is on are shown. */
  probe?: boolean;
}

/** Fibers that have started and not finished, oldest first. */
export function liveFibers(options: LiveFiberOptions = {}): LiveFiber[] {
  const now = Date.now();
  const current = binding.current();
  const fibers: LiveFiber[] = [];
  for (const [fiber, running] of binding.liveFibers()) {
    if (!(fiber instanceof Fiber)) continue;
    const state: LiveFiberState = running ? 'running' : isWaiting(fiber) ? 'waiting' : 'suspended';
    const since = running ? undefined : suspendedSince(fiber);
    let trace = '';
    if (!running) {
      const site = options.probe === true && fiber !== current ? probeWaitSite(fiber) : undefined;
      trace = site === undefined ? suspendedTraceOf(fiber) : suspendedTraceOf(fiber, site);
    }
    fibers.push({
      fiber,
      id: fiber.id,
      name: fiber.name,
      state,
      ageMs: now - fiber.createdAt,
      suspendedMs: since === undefined ? undefined : now - since,
      trace,
    });
  }
  return fibers.sort((a, b) => a.id - b.id);
}
