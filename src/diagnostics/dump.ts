// dumpFibers(): every live fiber of this process, where each one is and how long it has been
// there, grouped by identical traces (Go's goroutine dump, for fibers).
import { Fiber, suspendedTraceOf } from '../fiber/fiber';
import { type LiveFiber, liveFibers } from '../fiber/live';
import { captureFrames } from '../stitch/capture';
import type { StitchedFrame } from '../stitch/model';
import { parseStackText } from '../stitch/parse';
import { isOwnFile } from '../util/own-files';
import { groupFibers } from './group';
import type { DumpedFiber, FiberDump, MainThread, SpawnLevel } from './model';

/** Frames kept of the code that called the dump (or that it interrupted). */
const HERE_FRAMES = 30;

/** Where the code that asked for a dump is: its frames below `entry`, without fiberscope's. */
export interface Caller {
  frames: StitchedFrame[];
  /** The dump interrupts JavaScript that was running (an inspector request served inside a
   *  busy loop): no fiber may be run, and that code is shown as busy. */
  interrupting: boolean;
}

/** The frames below `entry` now; fiberscope's own are left out unless `withOwn`. */
export function framesBelow(entry: Function, withOwn = false): StitchedFrame[] {
  const stack = captureFrames(entry, HERE_FRAMES).stack ?? '';
  const frames = parseStackText(stack).segments[0].frames;
  return withOwn ? frames : frames.filter((frame) => !isOwnFile(frame.file));
}

function traceParts(trace: string): { frames: StitchedFrame[]; spawnChain: SpawnLevel[] } {
  const [own, ...spawns] = parseStackText(`trace\n${trace}`).segments;
  return {
    frames: own.frames,
    spawnChain: spawns.map((segment) => ({
      id: segment.fiber?.id ?? 0,
      name: segment.fiber?.name ?? '',
      frames: segment.frames,
    })),
  };
}

function dumpedFiber(live: LiveFiber, busyFrames: StitchedFrame[] | undefined): DumpedFiber {
  // A running fiber has no wait site, but its spawn chain is shown all the same.
  const trace = live.state === 'running' ? suspendedTraceOf(live.fiber, {}) : live.trace;
  const { frames, spawnChain } = traceParts(trace);
  return {
    id: live.id,
    name: live.name,
    state: live.state,
    ageMs: live.ageMs,
    stateMs: live.suspendedMs ?? null,
    frames: busyFrames ?? frames,
    spawnChain,
  };
}

/** The dump, for a caller found with framesBelow(). */
export function takeDump(caller: Caller): FiberDump {
  const current = Fiber.current;
  const probe = !caller.interrupting;
  const fibers = liveFibers({ probe }).map((live) =>
    dumpedFiber(live, live.fiber === current ? caller.frames : undefined),
  );
  let main: MainThread;
  if (current !== undefined) main = { state: 'in-fiber', fiberId: current.id, frames: [] };
  else if (caller.frames.length === 0) main = { state: 'idle', fiberId: null, frames: [] };
  else main = { state: 'running', fiberId: null, frames: caller.frames };
  return {
    version: 1,
    pid: process.pid,
    time: new Date().toISOString(),
    main,
    busy: caller.interrupting ? { fiberId: current?.id ?? null, frames: caller.frames } : null,
    probed: probe,
    fibers,
    groups: groupFibers(fibers),
  };
}

/**
 * Every live fiber of this process: its state, age, time in that state, where it is suspended
 * and its spawn chain; the main thread (here: running the code that called this); and the
 * fibers grouped by identical traces, largest group first. Each suspended fiber is resumed for
 * an instant to capture where it is (none of its code runs).
 */
export function dumpFibers(): FiberDump {
  return takeDump({ frames: framesBelow(dumpFibers), interrupting: false });
}
