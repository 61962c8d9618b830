// Reads V8's stack text, with fiberscope's segment separators, back into segments and frames:
// the one place that knows the shape of a trace's lines (`    at ...` frames, separators).
import type { SegmentKind, StitchedFrame, StitchedSegment } from './model';

const FRAME_START = /^\s*at /;
const FRAME = /^\s*at (?:(.*?) \((.*)\)|(.*))$/;
const LOCATION = /^(.*?):(\d+):(\d+)$/;
// `    --- fiber #12 "GET /orders" waited here ---` (no name in quotes for an unnamed fiber)
const SEPARATOR =
  /^\s*--- fiber #(\d+)(?: "((?:[^"\\]|\\.)*)")? (waited here|was spawned here|was run from here) ---$/;

const KIND_OF_PHRASE: Record<string, SegmentKind> = {
  'waited here': 'wait',
  'was spawned here': 'spawn',
  'was run from here': 'run',
};

export const PHRASE_OF_KIND: Record<Exclude<SegmentKind, 'error'>, string> = {
  wait: 'waited here',
  spawn: 'was spawned here',
  run: 'was run from here',
};

/** The separator line that opens a segment. */
export function separatorLine(
  kind: Exclude<SegmentKind, 'error'>,
  id: number,
  name: string,
): string {
  const label = name === '' ? `fiber #${id}` : `fiber #${id} ${JSON.stringify(name)}`;
  return `    --- ${label} ${PHRASE_OF_KIND[kind]} ---`;
}

export function isSeparatorLine(line: string): boolean {
  return SEPARATOR.test(line);
}

/** Whether a line of stack text is a frame: `    at ...` (leading white space optional). */
export function isFrameLine(line: string): boolean {
  return FRAME_START.test(line);
}

/** Parses one `    at ...` line; undefined for anything else. */
export function parseFrameLine(line: string): StitchedFrame | undefined {
  const match = FRAME.exec(line);
  if (!match) return undefined;
  let functionName = match[1] ?? '';
  let location = match[2] ?? match[3] ?? '';
  let isAsync = false;
  if (functionName.startsWith('async ')) {
    functionName = functionName.slice(6);
    isAsync = true;
  }
  if (match[3] !== undefined && functionName === '') {
    // `at file:line:col` (anonymous function), or `at fn` / `at async fn` with no location.
    if (location.startsWith('async ')) {
      location = location.slice(6);
      isAsync = true;
    }
    if (!LOCATION.test(location)) {
      functionName = location;
      location = '';
    }
  }
  // V8's placeholders for code without a file: builtins, `Promise.all (index 0)`.
  const noFile =
    location === '' ||
    location === 'native' ||
    location === '<anonymous>' ||
    /^index \d+$/.test(location);
  const place = noFile ? null : LOCATION.exec(location);
  const file = noFile ? '' : place ? place[1] : location;
  const native = noFile || file.startsWith('node:');
  const frame: StitchedFrame = {
    functionName,
    file,
    line: place ? Number(place[2]) : 0,
    column: place ? Number(place[3]) : 0,
    native,
    inApp: !native && !file.includes('/node_modules/'),
  };
  if (isAsync) frame.async = true;
  return frame;
}

/** Splits a stack text into its header (`Name: message`, possibly several lines) and segments. */
export function parseStackText(stack: string): { header: string; segments: StitchedSegment[] } {
  const lines = stack.split('\n');
  let first = lines.findIndex((line) => FRAME.test(line) || SEPARATOR.test(line));
  if (first === -1) first = lines.length;
  const header = lines.slice(0, first).join('\n');
  const segments: StitchedSegment[] = [{ kind: 'error', frames: [] }];
  for (const line of lines.slice(first)) {
    const separator = SEPARATOR.exec(line);
    if (separator) {
      segments.push({
        kind: KIND_OF_PHRASE[separator[3]],
        fiber: { id: Number(separator[1]), name: JSON.parse(`"${separator[2] ?? ''}"`) },
        frames: [],
      });
      continue;
    }
    const frame = parseFrameLine(line);
    if (frame) segments[segments.length - 1].frames.push(frame);
  }
  return { header, segments };
}
