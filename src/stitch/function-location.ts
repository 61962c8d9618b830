// Where a function is defined (its file, line and column): what a spawn records is a reference
// to the spawned function, at no cost, and its position is asked of V8 only when a stitched
// trace shows it. V8 knows a function's position without walking any stack (the addon's
// functionLocation(), from V8's public Function API).

import type { AnyFunction } from '../fiber/hooks';

/** A function's position: 1-based line and column (of its parameter list), as in stack frames. */
export interface FunctionLocation {
  /** A path for a CommonJS script, a URL for an ES module; '' for code without a name. */
  file: string;
  line: number;
  column: number;
}

type Locate = (fn: AnyFunction) => [string, number, number] | undefined;
let locate: Locate | undefined;

/** The position of `fn`'s definition, when V8 knows it (not for builtins). Spawn records exist
 *  only where fibers run, so the addon is there; it is loaded on first use. */
export function functionLocation(fn: AnyFunction): FunctionLocation | undefined {
  locate ??= (require('../fiber/native') as typeof import('../fiber/native')).binding
    .functionLocation as Locate;
  const place = locate(fn);
  return place === undefined ? undefined : { file: place[0], line: place[1], column: place[2] };
}
