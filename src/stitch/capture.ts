// Records what stitched traces need: where each fiber was spawned (cheaply, on every spawn),
// and, only when an error crosses a switch, the frames on the other side. Appends them to the
// error's `.stack` as segments, each opened by a separator line.
import inspector from 'node:inspector';
import type { AnyFunction, CrossedFiber, Stitcher } from '../fiber/hooks';
import { isOwnFrame } from '../util/own-files';
import { functionLocation } from './function-location';
import { isFrameLine, separatorLine } from './parse';
import { formatPositionFrame } from './source-maps';

/** What a spawn records: `'function'`, the spawned function (located only when a trace shows
 *  it); `'caller'`, V8's capture of the frames that spawned the fiber; `false`, nothing. */
export type SpawnSites = 'function' | 'caller' | false;

/** Where one fiber was spawned. Levels never point at other levels, so what a fiber keeps alive
 *  is bounded by spawnDepth, however deep fibers nest. */
export interface SpawnLevel {
  id: number;
  name: string;
  /** `'caller'`: V8's capture, formatted on first read of `site.stack`. `'function'`: the
   *  spawned function, until a trace needs its line (then kept in `lines`, and this dropped). */
  site: { stack?: string } | AnyFunction | undefined;
  /** The segment's frame line, once found (function sites). */
  lines?: string[];
}

/** Where a fiber was spawned, then where its nearest ancestors were (at most spawnDepth in all). */
export interface SpawnRecord {
  levels: SpawnLevel[];
}

export interface StitchOptions {
  /** Append segments to errors' stacks at all. On by default; `false` (or
   *  `FIBERSCOPE_STITCH=0` at start-up) leaves every error's `stack` as node-fibers would. */
  stacks: boolean;
  /** What each spawn records for the `was spawned here` segment. `'function'` by default: a
   *  reference to the spawned function (~0.03 µs per spawn), whose definition (file:line:col) is
   *  looked up only when a trace shows it (V8's Function API). `'caller'`: V8's stack capture
   *  of the line that spawned the fiber (~3 µs per spawn). `false`: nothing, no spawn segments.
   *  `FIBERSCOPE_SPAWN_SITES=0|caller|function` sets it at start-up; `true` means `'function'`. */
  spawnSites: SpawnSites;
  /** How many frames of each spawn site are recorded, with `spawnSites: 'caller'`. Default 1. */
  spawnFrames: number;
  /** How many levels of the spawn chain a stitched trace shows. Default 8. */
  spawnDepth: number;
  /** How many frames a wait or run segment keeps (captured only when an error crosses). Default 10. */
  framesPerSegment: number;
  /** Run each fiber inside a `console.createTask()` named after it, so that a debugger paused in
   *  a fiber shows where it was spawned as its async stack. `'auto'` (the default) does it while
   *  the inspector is open (`--inspect`, `inspector.open()`): a task costs ~1.4 µs per fiber
   *  with V8's bookkeeping, for nothing when no debugger can attach. */
  debuggerTasks: boolean | 'auto';
}

/** What configureStitching() takes: any of the options, `spawnSites: true` for `'function'`. */
export type StitchSettings = Partial<Omit<StitchOptions, 'spawnSites'>> & {
  spawnSites?: SpawnSites | true;
};

function spawnSitesFromEnv(value: string | undefined): SpawnSites {
  if (value === '0') return false;
  if (value === 'caller') return 'caller';
  return 'function';
}

export const stitchOptions: StitchOptions = {
  stacks: process.env.FIBERSCOPE_STITCH !== '0',
  spawnSites: spawnSitesFromEnv(process.env.FIBERSCOPE_SPAWN_SITES),
  spawnFrames: 1,
  spawnDepth: 8,
  framesPerSegment: 10,
  debuggerTasks: process.env.FIBERSCOPE_DEBUGGER_TASKS === '0' ? false : 'auto',
};

/** Changes how much stitching records; returns the options now in force. */
export function configureStitching(options: StitchSettings): StitchOptions {
  for (const key of Object.keys(options ?? {})) {
    if (!Object.hasOwn(stitchOptions, key)) throw new TypeError(`Unknown option "${key}"`);
  }
  const next = { ...stitchOptions, ...options };
  if (next.spawnSites === true) next.spawnSites = 'function';
  if (next.spawnSites !== false && next.spawnSites !== 'function' && next.spawnSites !== 'caller') {
    throw new TypeError(
      "Expected the \"spawnSites\" option to be 'function', 'caller' or a boolean",
    );
  }
  if (typeof next.stacks !== 'boolean') {
    throw new TypeError('Expected the "stacks" option to be a boolean');
  }
  if (typeof next.debuggerTasks !== 'boolean' && next.debuggerTasks !== 'auto') {
    throw new TypeError('Expected the "debuggerTasks" option to be a boolean or \'auto\'');
  }
  for (const key of ['spawnFrames', 'spawnDepth', 'framesPerSegment'] as const) {
    if (!Number.isInteger(next[key]) || next[key] < 1 || next[key] > 200) {
      throw new RangeError(`Expected the "${key}" option to be an integer from 1 to 200`);
    }
  }
  Object.assign(stitchOptions, next);
  return { ...stitchOptions };
}

// Wait and run segments start in fiberscope's own code (wait(), Future#get): room for those
// frames, which frameLines() drops, so that framesPerSegment frames of the caller remain.
const OWN_FRAMES_ROOM = 3;

/** A record of the `frames` frames below `above` (V8 formats them when `stack` is read). Also
 *  what bench/scenarios/spawn-sites measures. */
export function captureFrames(above: Function, frames: number): { stack?: string } {
  const site: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = frames;
  try {
    Error.captureStackTrace(site, above);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return site;
}

/**
 * What a spawn of `fn` records: `fn` itself (spawnSites `'function'`), or the frames below
 * `above`, captured now (`'caller'`: the fewer frames lie between here and `above`, the cheaper
 * V8's walk is). Undefined when spawn sites are off.
 */
export function spawnSite(fn: AnyFunction, above: Function): SpawnLevel['site'] {
  const mode = stitchOptions.spawnSites;
  if (mode === 'function') return fn;
  if (mode === false) return undefined;
  return captureFrames(above, stitchOptions.spawnFrames);
}

/** Captures where a fiber suspends: the frames below `above`, enough to show framesPerSegment of
 *  the caller's once fiberscope's own are left out. V8 formats them only when shown. */
export function captureWaitSite(above: Function): { stack?: string } {
  return captureFrames(above, stitchOptions.framesPerSegment + OWN_FRAMES_ROOM);
}

export function recordSpawn(
  id: number,
  name: string,
  parent: SpawnRecord | undefined,
  site: SpawnLevel['site'],
): SpawnRecord | undefined {
  if (site === undefined) return undefined;
  const levels: SpawnLevel[] = [{ id, name, site }];
  if (parent !== undefined) {
    const kept = Math.min(parent.levels.length, stitchOptions.spawnDepth - 1);
    for (let i = 0; i < kept; i++) levels.push(parent.levels[i]);
  }
  return { levels };
}

/** The frame lines of a captured site, without its header and without fiberscope's frames. */
function frameLines(site: { stack?: string }): string[] {
  let stack: unknown;
  try {
    stack = site.stack;
  } catch {
    return [];
  }
  if (typeof stack !== 'string') return [];
  return stack
    .split('\n')
    .slice(1)
    .filter((line) => isFrameLine(line) && !isOwnFrame(line))
    .slice(0, stitchOptions.framesPerSegment);
}

const kSegmentKeys = Symbol('fiberscope.stitchedSegments');
/** However many fibers an error travels through, its stack gets at most this many segments. */
export const MAX_SEGMENTS_PER_ERROR = 32;

interface Stitchable {
  stack?: unknown;
  [kSegmentKeys]?: Set<string>;
}

/** A segment to append: its kind, the fiber it is about and its frame lines. */
interface PendingSegment {
  kind: 'wait' | 'spawn' | 'run';
  id: number;
  name: string;
  lines: string[];
}

/** A function's name as V8 prints it in a frame (`bound f` is shown as `f`), on one line. */
function functionName(fn: AnyFunction): string {
  let value: unknown;
  try {
    value = Object.getOwnPropertyDescriptor(fn, 'name')?.value;
  } catch {
    return '';
  }
  if (typeof value !== 'string') return '';
  let name = value;
  while (name.startsWith('bound ')) name = name.slice(6);
  return name.replace(/[\r\n\u2028\u2029]+/g, ' ');
}

/**
 * The frame line of a spawned function: where it is defined, formatted (and source-mapped) as
 * the process's stack frames are, in V8's shape (`    at name (file:line:col)`, or
 * `    at file:line:col` when anonymous). None for fiberscope's own functions;
 * `    at name (<anonymous>)` when V8 knows no position (a builtin, code without a file).
 */
function functionLines(fn: AnyFunction): string[] {
  const name = functionName(fn);
  const place = functionLocation(fn);
  if (place === undefined || place.file === '') {
    return [`    at ${name || '<anonymous>'} (<anonymous>)`];
  }
  if (isOwnFrame(place.file)) return [];
  const line = formatPositionFrame(name, place.file, place.line, place.column);
  return isOwnFrame(line) ? [] : [line];
}

function levelLines(level: SpawnLevel): string[] {
  if (level.lines !== undefined) return level.lines;
  const site = level.site;
  if (typeof site !== 'function') return site === undefined ? [] : frameLines(site);
  // Found once: the line is kept and the function let go.
  level.lines = functionLines(site);
  level.site = undefined;
  return level.lines;
}

function spawnChain(spawnRecord: unknown): PendingSegment[] {
  const record = spawnRecord as SpawnRecord | undefined;
  if (record === undefined) return [];
  const levels = record.levels.slice(0, stitchOptions.spawnDepth);
  return levels.map((level) => ({
    kind: 'spawn' as const,
    id: level.id,
    name: level.name,
    lines: levelLines(level),
  }));
}

function appendSegments(error: unknown, segments: PendingSegment[]): void {
  if (error === null || typeof error !== 'object') return;
  const target = error as Stitchable;
  let keys: Set<string> | undefined;
  let stack: unknown;
  try {
    // A frozen or sealed error stays as it is (V8 12+ would still let its stack be assigned).
    if (!Object.isExtensible(target)) return;
    keys = target[kSegmentKeys];
    stack = target.stack;
  } catch {
    return;
  }
  if (typeof stack !== 'string') return;
  const room = MAX_SEGMENTS_PER_ERROR - (keys?.size ?? 0);
  const fresh = segments
    .filter((segment) => !keys?.has(`${segment.kind}#${segment.id}`))
    .slice(0, Math.max(room, 0));
  if (fresh.length === 0) return;
  const text = fresh
    .map((segment) =>
      [separatorLine(segment.kind, segment.id, segment.name), ...segment.lines].join('\n'),
    )
    .join('\n');
  try {
    target.stack = `${stack}\n${text}`;
    if (keys === undefined) {
      keys = new Set();
      Object.defineProperty(target, kSegmentKeys, { value: keys, configurable: true });
    }
  } catch {
    return; // a frozen error keeps V8's stack
  }
  for (const segment of fresh) keys.add(`${segment.kind}#${segment.id}`);
}

/** The frame lines of the code below `above`, captured now, without fiberscope's own. */
function linesBelow(above: Function): string[] {
  return frameLines(captureWaitSite(above));
}

/**
 * A suspended fiber as a stitched trace: the frames where it suspended (from captureWaitSite),
 * then its spawn chain, each level opened by a separator line.
 */
export function suspendedTrace(site: { stack?: string } | undefined, fiber: CrossedFiber): string {
  const lines = site === undefined ? [] : frameLines(site);
  for (const segment of spawnChain(fiber.record)) {
    lines.push(separatorLine(segment.kind, segment.id, segment.name), ...segment.lines);
  }
  return lines.join('\n');
}

/**
 * An error came out of a wait inside `fiber`: appends the fiber's frames at the wait site
 * (`above` and what it called are left out) and its spawn chain.
 */
export function stitchWaitError(error: unknown, fiber: CrossedFiber, above: Function): void {
  if (!stitchOptions.stacks || error === null || typeof error !== 'object') return;
  const { id, name, record } = fiber;
  appendSegments(error, [
    { kind: 'wait', id, name, lines: linesBelow(above) },
    ...spawnChain(record),
  ]);
}

/** An error escaped `fiber` to the code that ran it: appends that code's frames. */
export function stitchRunError(error: unknown, fiber: CrossedFiber, above: Function): void {
  if (!stitchOptions.stacks || error === null || typeof error !== 'object') return;
  const { id, name, record } = fiber;
  const lines = linesBelow(above);
  // Resumed from a promise callback, the runner is fiberscope's own wait(): nothing to show but
  // the spawn chain. Spawn levels a wait inside the fiber already appended are skipped.
  const run: PendingSegment[] = lines.length > 0 ? [{ kind: 'run', id, name, lines }] : [];
  appendSegments(error, [...run, ...spawnChain(record)]);
}

/** An error escaped a fiber to the promise of whoever spawned it: appends the spawn chain. */
export function stitchEscape(error: unknown, record: unknown): void {
  if (!stitchOptions.stacks || record === undefined) return;
  appendSegments(error, spawnChain(record));
}

/** Whether a new fiber should run inside a console.createTask(). */
export function wantsDebuggerTask(): boolean {
  const mode = stitchOptions.debuggerTasks;
  return mode === true || (mode === 'auto' && inspector.url() !== undefined);
}

/** fiberscope's stitcher, as the runtime calls it (src/fiber/hooks.ts; registered by
 *  src/stitch/install.ts). */
export const stitcher: Stitcher = {
  stacksOn: () => stitchOptions.stacks,
  wantsDebuggerTask,
  recordSpawn: (id, name, parent, fn, caller) =>
    recordSpawn(id, name, parent as SpawnRecord | undefined, spawnSite(fn, caller)),
  renamed: (record, name) => {
    (record as SpawnRecord).levels[0].name = name;
  },
  captureWaitSite,
  stitchWaitError,
  stitchRunError,
  stitchEscape,
  suspendedTrace,
};
