// The side of `fiberscope dump` that runs in the target process, reached through the runtime
// hook (globalThis[Symbol.for('fiberscope.runtime')].diagnostics()) by an inspector evaluation.
import { Fiber } from '../fiber/fiber';
import { isOwnFile } from '../util/own-files';
import { type Caller, framesBelow, takeDump } from './dump';

/**
 * Where an inspector evaluation that called `entry` runs. The inspector serves a request from
 * the event loop when the process is idle, and inside the running JavaScript (a V8 interrupt)
 * when it is busy: then the frames below the evaluated expression are the busy code's.
 */
export function inspectorCaller(entry: Function): Caller {
  // The first frame is the expression the inspector evaluates. Below it, any frame (fiberscope's
  // own too) means running code was interrupted, in which no fiber may be run.
  const all = framesBelow(entry, true).slice(1);
  const frames = all.filter((frame) => !isOwnFile(frame.file));
  return { frames, interrupting: all.length > 0 || Fiber.current !== undefined };
}

/** The target's fiber dump, as JSON. */
export function dump(): string {
  return JSON.stringify(takeDump(inspectorCaller(dump)));
}
