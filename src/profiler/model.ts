// The profile model: what the sampler front end builds and every exporter reads. Built once,
// then treated as immutable. Times are microseconds; lines and columns are 1-based.

/** A function location, interned: samples refer to frames by index. */
export interface ProfileFrame {
  /** `''` for an anonymous function. */
  functionName: string;
  /** Script URL or path; `''` for code without one (builtins, eval). */
  url: string;
  /** 1-based; 0 when unknown. */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
  /** V8's script id; 0 when unknown. */
  scriptId: number;
  /** A pseudo-frame standing for time without JavaScript: '(idle)', '(garbage collector)', '(program)'. */
  special?: 'idle' | 'gc' | 'program';
}

/** A stretch of a fiber's wall time in one state. */
export interface TimelineSegment {
  /** running: from a switch into the fiber to its next yield (fibers it runs nested count);
   *  waiting: suspended, what it waits for has not happened; ready: it has (a promise settled, a
   *  future resolved) and the fiber is about to be run, but has not been yet. */
  state: 'running' | 'waiting' | 'ready';
  /** Since the profile started. */
  startUs: number;
  endUs: number;
  /** For waiting: the frame (index into `frames`) that called wait(), Future#wait(),
   *  Future.wait() or Fiber.yield(), the innermost frame outside fiberscope's own files. */
  frame?: number;
}

/** A logical thread: the main thread (id 0) or a fiber. */
export interface ProfileThread {
  id: number;
  name: string;
  kind: 'main' | 'fiber';
  /** Time attributed to this thread by the samples (sum of their weights). */
  cpuMs: number;
  /** For fibers: from its first run to its end (or the end of the profile). Main: the profile's. */
  wallMs: number;
  /** For fibers: time suspended in yield()/wait() within wallMs, not counting readyMs. Main: 0. */
  waitMs: number;
  /** How many samples landed on this thread. */
  samples: number;
  /** For fibers: time it could run again (see TimelineSegment) but had not been run yet. Set by
   *  the profiler; absent in imported profiles. */
  readyMs?: number;
  /** For fibers: its wall time in order, running, waiting and ready. At most
   *  MAX_TIMELINE_SEGMENTS; later ones are counted in `timelineDropped`. */
  timeline?: TimelineSegment[];
  timelineDropped?: number;
}

export interface ProfileSample {
  /** When the sample was taken, since the profile started. */
  timeUs: number;
  /** The time this sample stands for (measured, not the nominal interval). */
  weightUs: number;
  /** The logical thread it ran on. */
  threadId: number;
  /** Frame indices into `frames`, root (outermost) first. Samples with the same stack share
   *  one array: do not change it. */
  stack: number[];
}

export interface Profile {
  /** Monotonic clock of process.hrtime(), in microseconds, when sampling started. */
  startTimeUs: number;
  endTimeUs: number;
  /** The requested sampling interval. */
  intervalUs: number;
  frames: ProfileFrame[];
  samples: ProfileSample[];
  threads: ProfileThread[];
}
