// Traces with frames or segments cut to a bound (by the pino serializer), and their text: the
// same as formatStitched()'s, with `    ... N more frames` where frames were cut.
import { formatStitched } from './format';
import type { StitchedError, StitchedFrame, StitchedSegment } from './model';

/** A segment as logged: `framesOmitted` counts the frames cut beyond the limit. */
export interface SerializedSegment extends StitchedSegment {
  framesOmitted?: number;
}

const omittedMarker = '\u0000fiberscope-omitted:';

/** A pseudo-frame standing for `count` cut frames or segments; `formatBounded()` rewrites it. */
function omittedFrame(count: number, what: 'frames' | 'segments'): StitchedFrame {
  return {
    functionName: '',
    file: `${omittedMarker}${count} ${what}`,
    line: 0,
    column: 0,
    native: true,
    inApp: false,
  };
}

const omittedLine = new RegExp(`at ${omittedMarker}(\\d+) (frames|segments)`, 'g');

/**
 * `formatStitched()` for segments that may carry `framesOmitted` (and an error whose segments
 * were cut): prints `    ... N more frames` where frames were cut. Shared with the CLI.
 */
export function formatBounded(
  error: StitchedError,
  options: { color?: boolean; segmentsOmitted?: number } = {},
): string {
  const segments = error.segments.map((segment: SerializedSegment) =>
    segment.framesOmitted
      ? { ...segment, frames: [...segment.frames, omittedFrame(segment.framesOmitted, 'frames')] }
      : segment,
  );
  if (options.segmentsOmitted) {
    segments.push({ kind: 'error', frames: [omittedFrame(options.segmentsOmitted, 'segments')] });
  }
  return formatStitched({ ...error, segments }, { color: options.color }).replace(
    omittedLine,
    (_, count: string, what: string) => `... ${count} more ${what}`,
  );
}
