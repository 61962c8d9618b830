// Pino NDJSON logs, read back: each logged error's stitched trace printed readably, positions
// mapped through the source maps found on disk (`fiberscope stitch` is the command over it).
//
// A JSON line holding an error (under `err`, `error`, or any top-level key whose value has a
// `stack` and a `message` string) becomes a block: a header (time, level, fiber, msg), then each
// error's trace. Every other line, JSON or not, passes through unchanged.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bold, dim, green, magenta, red, type Style, yellow } from '../util/ansi';
import { isRecord, type Json } from '../util/json';
import { formatBounded, type SerializedSegment } from './bounded';
import type { StitchedError, StitchedFrame } from './model';
import { isSeparatorLine, parseStackText } from './parse';
import { originalPosition } from './source-maps';

export interface LogOptions {
  /** ANSI colors in the blocks. */
  color: boolean;
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

function levelColor(level: number): Style {
  if (level >= 50) return red;
  if (level >= 40) return yellow;
  if (level >= 30) return green;
  return dim;
}

/** The errors a log line holds, by key: `err`, `error`, then any other error-shaped value. */
function errorsOf(line: Json): Json[] {
  const found: Json[] = [];
  for (const key of ['err', 'error']) {
    const value = line[key];
    if (
      isRecord(value) &&
      (typeof value.stack === 'string' ||
        Array.isArray(value.segments) ||
        typeof value.message === 'string')
    ) {
      found.push(value);
    }
  }
  for (const [key, value] of Object.entries(line)) {
    if (key === 'err' || key === 'error') continue;
    if (isRecord(value) && typeof value.stack === 'string' && typeof value.message === 'string') {
      found.push(value);
    }
  }
  return found;
}

function header(line: Json, color: boolean): string {
  const parts: string[] = [];
  const time = line.time;
  if (typeof time === 'number' && Number.isFinite(time)) {
    const date = new Date(time);
    parts.push(dim(Number.isNaN(date.getTime()) ? String(time) : date.toISOString(), color));
  } else if (typeof time === 'string') {
    parts.push(dim(time, color));
  }
  const level = line.level;
  if (typeof level === 'number') {
    parts.push(levelColor(level)(LEVELS[level] ?? `LEVEL ${level}`, color));
  } else if (typeof level === 'string') {
    parts.push(level.toUpperCase());
  }
  const fiber = line.fiber;
  if (isRecord(fiber) && typeof fiber.id === 'number') {
    const name =
      typeof fiber.name === 'string' && fiber.name !== '' ? ` ${JSON.stringify(fiber.name)}` : '';
    parts.push(magenta(`(fiber #${fiber.id}${name})`, color));
  }
  const msg =
    typeof line.msg === 'string' ? line.msg : typeof line.message === 'string' ? line.message : '';
  return `${parts.join(' ')}${msg ? `: ${bold(msg, color)}` : ''}`;
}

// Source maps ------------------------------------------------------------------------------------

const onDisk = new Map<string, string | undefined>();

/** The path on disk of a frame's file, or undefined when it is not a file that exists. */
function diskPath(file: string): string | undefined {
  if (onDisk.has(file)) return onDisk.get(file);
  let path: string | undefined;
  try {
    const candidate = file.startsWith('file:') ? fileURLToPath(file) : file;
    if (!candidate.startsWith('node:') && existsSync(candidate)) path = candidate;
  } catch {}
  onDisk.set(file, path);
  return path;
}

const unmappable = new Set<string>();

/** The frame at its original position when its file has a source map (inline or on disk). */
function mapFrame(frame: StitchedFrame): StitchedFrame {
  if (frame.native || frame.file === '' || frame.line < 1) return frame;
  const path = diskPath(frame.file);
  if (path === undefined || unmappable.has(path)) return frame;
  try {
    const position = originalPosition(path, frame.line, Math.max(1, frame.column));
    if (position === undefined) return frame;
    const file = position.file.startsWith('file:')
      ? safeFileURLToPath(position.file)
      : position.file;
    return { ...frame, file, line: position.line, column: position.column };
  } catch {
    // A source map that does not parse: the compiled position is the best there is.
    unmappable.add(path);
    return frame;
  }
}

function safeFileURLToPath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}

// Traces -----------------------------------------------------------------------------------------

const OMITTED_FRAMES = /^\s*\.\.\. (\d+) more frames$/;
const OMITTED_SEGMENTS = /^\s*\.\.\. (\d+) more segments$/;
const CAUSE_END = /^causes have (?:become circular|been cut)\.\.\.$/;

interface Part {
  error: StitchedError;
  segmentsOmitted: number;
  /** A trailing line that is not part of the trace (`causes have become circular...`). */
  trailer?: string;
}

/** One error's text (a part of a `caused by:` chain) back into a structure. */
function parsePart(text: string): Part {
  const lines = text.split('\n');
  let trailer: string | undefined;
  if (lines.length > 1 && CAUSE_END.test(lines[lines.length - 1])) trailer = lines.pop();
  const { header: head, segments } = parseStackText(lines.join('\n'));
  let segmentsOmitted = 0;
  let index = 0;
  for (const line of lines) {
    if (isSeparatorLine(line)) index++;
    const frames = OMITTED_FRAMES.exec(line);
    if (frames && segments[index])
      (segments[index] as SerializedSegment).framesOmitted = Number(frames[1]);
    const cut = OMITTED_SEGMENTS.exec(line);
    if (cut) segmentsOmitted = Number(cut[1]);
  }
  return { error: { name: head, message: '', segments }, segmentsOmitted, trailer };
}

/** A serialized segment as logged, checked enough to be formatted. */
function validSegments(value: unknown): SerializedSegment[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const segments: SerializedSegment[] = [];
  for (const segment of value) {
    if (!isRecord(segment) || typeof segment.kind !== 'string' || !Array.isArray(segment.frames)) {
      return undefined;
    }
    const frames: StitchedFrame[] = [];
    for (const frame of segment.frames) {
      if (!isRecord(frame)) return undefined;
      const file = typeof frame.file === 'string' ? frame.file : '';
      frames.push({
        functionName: typeof frame.functionName === 'string' ? frame.functionName : '',
        file,
        line: typeof frame.line === 'number' ? frame.line : 0,
        column: typeof frame.column === 'number' ? frame.column : 0,
        native: typeof frame.native === 'boolean' ? frame.native : file === '',
        inApp: typeof frame.inApp === 'boolean' ? frame.inApp : true,
      });
    }
    const fiber = segment.fiber;
    segments.push({
      kind: segment.kind as SerializedSegment['kind'],
      ...(isRecord(fiber) && typeof fiber.id === 'number'
        ? { fiber: { id: fiber.id, name: typeof fiber.name === 'string' ? fiber.name : '' } }
        : {}),
      frames,
      ...(typeof segment.framesOmitted === 'number'
        ? { framesOmitted: segment.framesOmitted }
        : {}),
    });
  }
  return segments;
}

function formatPart(part: Part, color: boolean): string {
  const segments = part.error.segments.map((segment: SerializedSegment) => ({
    ...segment,
    frames: segment.frames.map(mapFrame),
  }));
  let text = formatBounded(
    { ...part.error, segments },
    { color, segmentsOmitted: part.segmentsOmitted },
  );
  if (part.trailer) text += `\n${dim(part.trailer, color)}`;
  return text;
}

/** The printed trace of one logged error: its stack, causes, and aggregated errors. */
function formatError(error: Json, color: boolean, depth = 0): string {
  const type = typeof error.type === 'string' ? error.type : 'Error';
  const message = typeof error.message === 'string' ? error.message : '';
  const stack = typeof error.stack === 'string' && error.stack !== '' ? error.stack : undefined;
  const texts = stack === undefined ? [] : stack.split(/\ncaused by: /);
  const parts = texts.map(parsePart);
  const logged = validSegments(error.segments);
  if (parts.length === 0) {
    parts.push({
      error: { name: message ? `${type}: ${message}` : type, message: '', segments: [] },
      segmentsOmitted: 0,
    });
  }
  if (logged) {
    // The logged structure is the exact one; the text can only be parsed back.
    parts[0].error.segments = logged;
    parts[0].segmentsOmitted =
      typeof error.segmentsOmitted === 'number' ? error.segmentsOmitted : parts[0].segmentsOmitted;
  }
  let text = parts
    .map((part, i) => (i === 0 ? '' : 'caused by: ') + formatPart(part, color))
    .join('\n');
  const aggregated = Array.isArray(error.aggregateErrors) ? error.aggregateErrors : [];
  if (depth < 8) {
    for (const [i, inner] of aggregated.entries()) {
      if (!isRecord(inner)) continue;
      const innerText = formatError(inner, color, depth + 1).replace(/\n/g, '\n    ');
      text += `\n  [errors][${i}]: ${innerText}`;
    }
  }
  if (typeof error.aggregateErrorsOmitted === 'number') {
    text += `\n  ... ${error.aggregateErrorsOmitted} more errors`;
  }
  return text;
}

/** What a line of input becomes: itself, or the block describing the errors it logs. */
export function renderLogLine(line: string, options: LogOptions): string | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const errors = errorsOf(parsed);
  if (errors.length === 0) return undefined;
  const blocks = errors.map((error) => formatError(error, options.color));
  return `${header(parsed, options.color)}\n${blocks.join('\n')}\n`;
}

// A stream -------------------------------------------------------------------------------------

/**
 * Reads NDJSON from `input` to its end and hands `write` each line, rendered or as it was. A last
 * line without a newline stays without one. `write` returns false to stop reading (the reader
 * went away). Errors of `input` are thrown.
 */
export async function renderLog(
  input: NodeJS.ReadableStream,
  options: LogOptions,
  write: (text: string) => boolean | Promise<boolean>,
): Promise<void> {
  let open = true;
  const emit = async (line: string, ending: string) => {
    if (open) open = await write(renderLogLine(line, options) ?? line + ending);
  };
  input.setEncoding('utf8');
  let buffered = '';
  for await (const chunk of input) {
    buffered += chunk as string;
    let start = 0;
    let newline = buffered.indexOf('\n', start);
    while (newline !== -1) {
      await emit(buffered.slice(start, newline), '\n');
      start = newline + 1;
      newline = buffered.indexOf('\n', start);
    }
    buffered = buffered.slice(start);
    if (!open) return;
  }
  // The last line may have no newline: it is rendered, or passed through as it is.
  if (buffered !== '') await emit(buffered, '');
}
