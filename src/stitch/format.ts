// Turns a stitched error back into text: V8's stack shape, one separator line per segment.
import { bold, cyan, dim } from '../util/ansi';
import type { StitchedError, StitchedFrame, StitchedSegment } from './model';
import { separatorLine } from './parse';

export interface FormatOptions {
  /** ANSI colors: dim separators and dependency frames, bold application frames. */
  color?: boolean;
}

export function formatFrame(frame: StitchedFrame): string {
  const at = frame.async ? '    at async ' : '    at ';
  // V8 writes builtins and other code without a file as `fn (<anonymous>)`.
  if (!frame.file) return `${at}${frame.functionName || '<anonymous>'} (<anonymous>)`;
  const location = frame.line > 0 ? `${frame.file}:${frame.line}:${frame.column}` : frame.file;
  if (frame.functionName === '') return `${at}${location}`;
  return `${at}${frame.functionName} (${location})`;
}

function formatSegment(segment: StitchedSegment, options: FormatOptions): string[] {
  const lines: string[] = [];
  if (segment.kind !== 'error' && segment.fiber) {
    const separator = separatorLine(segment.kind, segment.fiber.id, segment.fiber.name);
    lines.push(options.color ? cyan(separator) : separator);
  }
  for (const frame of segment.frames) {
    const line = formatFrame(frame);
    lines.push(!options.color ? line : frame.inApp ? bold(line) : dim(line));
  }
  return lines;
}

/** The text of a stitched error, with its causes and aggregated errors indented below it. */
export function formatStitched(
  error: StitchedError,
  options: FormatOptions = {},
  depth = 0,
): string {
  const indent = '    '.repeat(depth);
  const header = error.message ? `${error.name}: ${error.message}` : error.name;
  const lines = [header, ...error.segments.flatMap((segment) => formatSegment(segment, options))];
  let text = lines.map((line, i) => (i === 0 ? line : indent + line)).join('\n');
  if (error.errors) {
    for (const [i, inner] of error.errors.entries()) {
      text += `\n${indent}  [errors][${i}]: ${formatStitched(inner, options, depth + 1)}`;
    }
  }
  if (error.cause)
    text += `\n${indent}  [cause]: ${formatStitched(error.cause, options, depth + 1)}`;
  return text;
}
