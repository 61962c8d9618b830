// The structure of a stitched error: what `stitch(err)` returns and `formatStitched()` prints.

/** One stack frame, parsed from V8's `    at fn (file:line:col)` shape. */
export interface StitchedFrame {
  /** `''` for an anonymous function. */
  functionName: string;
  /** A path or URL; `''` when V8 gives none (builtins, `<anonymous>`, `Promise.all (index 0)`). */
  file: string;
  /** 1-based, 0 when unknown. */
  line: number;
  /** 1-based, 0 when unknown. */
  column: number;
  /** A frame of V8 or Node itself (`native`, `node:` modules) rather than JavaScript source. */
  native: boolean;
  /** Application code: neither Node's own (`node:`) nor a dependency (`node_modules`). */
  inApp: boolean;
  /** An `at async` frame: the await a suspended async function resumes at. */
  async?: boolean;
}

export type SegmentKind =
  /** The frames V8 recorded where the error was created (including `at async` frames). */
  | 'error'
  /** The fiber's own frames where it waited (wait(), future.wait(), Fiber.yield...). */
  | 'wait'
  /** Where a fiber was created; one per level of the spawn chain. */
  | 'spawn'
  /** The frames of the code that ran a fiber whose error escaped it. */
  | 'run';

export interface StitchedSegment {
  kind: SegmentKind;
  /** The fiber the segment belongs to (absent for the `error` segment). */
  fiber?: { id: number; name: string };
  frames: StitchedFrame[];
}

export interface StitchedError {
  name: string;
  message: string;
  segments: StitchedSegment[];
  /** `error.cause`, stitched in turn (a cycle ends the chain). */
  cause?: StitchedError;
  /** `AggregateError#errors`, each stitched in turn. */
  errors?: StitchedError[];
}
