// `fiberscope/pino`: an `err` serializer that logs stitched traces, and a mixin that tags each
// line logged from inside a fiber with the fiber's id and name (and, with OpenTelemetry, the
// active span's ids).
//
//   const logger = pino({ serializers, mixin });
//
// The serializer has the shape of pino's default one (pino-std-serializers' `err`): `type` (the
// constructor's name), `message` and `stack` with the causes folded in (`: ` and `caused by: `),
// `aggregateErrors`, and the error's enumerable properties. `stack` is the stitched text (with
// fiberscope's separator lines) and `segments` the same trace as a structure. It never throws.
//
// Bounds, so a pathological error cannot produce a pathological log line:
// - a segment keeps its first MAX_FRAMES_PER_SEGMENT frames; the number cut is its
//   `framesOmitted` (absent when nothing was cut), and the text shows `    ... N more frames`;
// - an error keeps its first MAX_SEGMENTS segments; the number cut is `segmentsOmitted` on the
//   serialized error, and the text ends with `    ... N more segments`;
// - at most MAX_CAUSES causes are folded into `message` and `stack`;
// - at most MAX_AGGREGATED entries of `aggregateErrors`, the rest counted in
//   `aggregateErrorsOmitted`; nesting (aggregates of aggregates, errors held in properties) stops
//   at MAX_DEPTH.
import { fiberRuntimeIfAvailable } from '../fiber/on-demand';
import { optionalOtelApi } from '../util/otel-api';
import { formatBounded, type SerializedSegment } from './bounded';
import type { StitchedError, StitchedSegment } from './model';
import { stitch } from './stitch';

export type { SerializedSegment } from './bounded';

export const MAX_FRAMES_PER_SEGMENT = 200;
export const MAX_SEGMENTS = 50;
export const MAX_CAUSES = 10;
export const MAX_AGGREGATED = 50;
export const MAX_DEPTH = 5;

/** The trace id of no trace (an invalid span context). */
const INVALID_TRACE_ID = '00000000000000000000000000000000';

/** What `serializers.err` makes of an error (pino-std-serializers' shape, plus `segments`). */
export interface SerializedError {
  type: string;
  message: string;
  stack: string;
  segments: SerializedSegment[];
  segmentsOmitted?: number;
  aggregateErrors?: SerializedError[];
  aggregateErrorsOmitted?: number;
  /** The original error (not enumerable, so not logged), as pino-std-serializers gives it. */
  readonly raw?: unknown;
  [key: string]: unknown;
}

interface Read {
  ok: boolean;
  value?: unknown;
}

function read(target: object, key: string | symbol): Read {
  try {
    return { ok: true, value: (target as Record<string | symbol, unknown>)[key] };
  } catch (error) {
    return { ok: false, value: error };
  }
}

/** A short description of a thrown value, for placeholders. Never throws. */
function describe(value: unknown): string {
  try {
    if (value !== null && typeof value === 'object') {
      const message = (value as { message?: unknown }).message;
      if (typeof message === 'string') return message;
    }
    return String(value);
  } catch {
    return 'unknown';
  }
}

function isObject(value: unknown): value is object {
  return value !== null && (typeof value === 'object' || typeof value === 'function');
}

/** Whether pino's default serializer would treat `value` as an error; hostile objects (a getter
 *  or a proxy trap that throws) count as errors, so they get a safe serialization. */
function isErrorLike(value: unknown): value is object {
  if (!isObject(value)) return false;
  try {
    if (value instanceof Error) return true;
  } catch {
    return true;
  }
  const message = read(value, 'message');
  return !message.ok || typeof message.value === 'string';
}

function typeOf(error: object, stitched: StitchedError | undefined): string {
  try {
    const ctor = (error as { constructor?: unknown }).constructor;
    if (typeof ctor === 'function') {
      const name = ctor.name;
      if (typeof name === 'string' && name !== '') return name;
    }
  } catch {}
  return stitched?.name || 'Error';
}

function boundSegments(segments: StitchedSegment[]): {
  segments: SerializedSegment[];
  segmentsOmitted: number;
} {
  const kept = segments.slice(0, MAX_SEGMENTS).map((segment): SerializedSegment => {
    if (segment.frames.length <= MAX_FRAMES_PER_SEGMENT) return segment;
    return {
      ...segment,
      frames: segment.frames.slice(0, MAX_FRAMES_PER_SEGMENT),
      framesOmitted: segment.frames.length - MAX_FRAMES_PER_SEGMENT,
    };
  });
  return { segments: kept, segmentsOmitted: Math.max(0, segments.length - MAX_SEGMENTS) };
}

/** The stitched text of one error, without its causes and aggregated errors. */
function textOf(stitched: StitchedError): string {
  const { segments, segmentsOmitted } = boundSegments(stitched.segments);
  return formatBounded(
    { name: stitched.name, message: stitched.message, segments },
    { segmentsOmitted },
  );
}

/** Whether the chain of `cause`s from `error` loops within the first `limit` links. */
function causesCircle(error: object, limit: number): boolean {
  const seen = new Set<unknown>([error]);
  let current: unknown = error;
  for (let i = 0; i <= limit; i++) {
    if (!isObject(current)) return false;
    const cause = read(current, 'cause');
    if (!cause.ok || !isObject(cause.value)) return false;
    if (seen.has(cause.value)) return true;
    seen.add(cause.value);
    current = cause.value;
  }
  return false;
}

/** The messages and stitched texts of the error and its causes, as pino's serializer joins them. */
function withCauses(error: object, stitched: StitchedError): { message: string; stack: string } {
  let message = stitched.message;
  let stack = textOf(stitched);
  let cause = stitched.cause;
  let count = 0;
  for (; cause !== undefined && count < MAX_CAUSES; cause = cause.cause, count++) {
    message += `: ${cause.message}`;
    stack += `\ncaused by: ${textOf(cause)}`;
  }
  if (cause !== undefined) {
    message += ': ...';
    stack += '\ncauses have been cut...';
  } else if (causesCircle(error, count + 1)) {
    message += ': ...';
    stack += '\ncauses have become circular...';
  }
  return { message, stack };
}

function serialize(error: object, seen: Set<object>, depth: number): SerializedError {
  seen.add(error);
  const stitched = stitch(error);
  const result = { type: typeOf(error, stitched) } as SerializedError;
  if (stitched) {
    Object.assign(result, withCauses(error, stitched));
    const { segments, segmentsOmitted } = boundSegments(stitched.segments);
    result.segments = segments;
    if (segmentsOmitted > 0) result.segmentsOmitted = segmentsOmitted;
  } else {
    result.message = '';
    result.stack = '';
    result.segments = [];
  }

  const errors = read(error, 'errors');
  let isArray = false;
  try {
    isArray = Array.isArray(errors.value);
  } catch {}
  if (isArray) {
    const list = errors.value as unknown[];
    const serialized: SerializedError[] = [];
    let omitted = 0;
    try {
      for (let i = 0; i < list.length; i++) {
        const inner = list[i];
        if (serialized.length >= MAX_AGGREGATED || depth >= MAX_DEPTH) omitted++;
        else if (isObject(inner) && seen.has(inner)) continue;
        else if (isObject(inner)) serialized.push(serialize(inner, seen, depth + 1));
        else serialized.push(primitiveError(inner));
      }
    } catch {}
    result.aggregateErrors = serialized;
    if (omitted > 0) result.aggregateErrorsOmitted = omitted;
  }

  // Enumerable properties, as pino's serializer copies them (`for...in`): errors they hold are
  // serialized in turn, except `cause`, already folded into `message` and `stack`.
  const keys: string[] = [];
  try {
    for (const key in error) keys.push(key);
  } catch {}
  for (const key of keys) {
    if (result[key] !== undefined) continue;
    const value = read(error, key);
    if (!value.ok) {
      result[key] = `[unreadable: ${describe(value.value)}]`;
    } else if (isErrorLike(value.value)) {
      if (key !== 'cause' && !seen.has(value.value) && depth < MAX_DEPTH) {
        result[key] = serialize(value.value, seen, depth + 1);
      }
    } else {
      result[key] = value.value;
    }
  }

  seen.delete(error);
  Object.defineProperty(result, 'raw', { value: error, enumerable: false, configurable: true });
  return result;
}

/** A thrown primitive found among an AggregateError's errors. */
function primitiveError(value: unknown): SerializedError {
  const message = describe(value);
  return {
    type: typeof value,
    message,
    stack: '',
    segments: [],
  };
}

/**
 * pino's `err` serializer with stitched traces. Values pino's own serializer leaves alone (thrown
 * strings, numbers, null, undefined, objects without a string `message`) are returned as they
 * are. Never throws.
 */
export function errSerializer(err: unknown): unknown {
  if (!isErrorLike(err)) return err;
  try {
    return serialize(err, new Set(), 0);
  } catch (error) {
    // Not expected (every read above is guarded), but a logger must not throw.
    return {
      type: 'Error',
      message: `[fiberscope could not serialize this error: ${describe(error)}]`,
      stack: '',
      segments: [],
    };
  }
}

/** For pino's `serializers` option: `pino({ serializers })`. */
export const serializers = { err: errSerializer };

/** What `mixin()` adds to a line: the fiber it was logged in, and the active OpenTelemetry span. */
export interface MixinFields {
  fiber?: { id: number; name: string };
  trace_id?: string;
  span_id?: string;
  trace_flags?: string;
}

/** For pino's `mixin` option: `{ fiber: { id, name } }` on lines logged inside a fiber, and
 *  `trace_id`, `span_id`, `trace_flags` while an OpenTelemetry span is active (when the
 *  application has @opentelemetry/api). No fiber where the fiber runtime cannot load. */
export function mixin(): MixinFields {
  const fields: MixinFields = {};
  try {
    const fiber = fiberRuntimeIfAvailable()?.Fiber.current;
    if (fiber !== undefined) fields.fiber = { id: fiber.id, name: fiber.name };
  } catch {}
  try {
    const span = optionalOtelApi()?.trace.getActiveSpan()?.spanContext();
    if (span !== undefined && span.traceId !== INVALID_TRACE_ID) {
      fields.trace_id = span.traceId;
      fields.span_id = span.spanId;
      fields.trace_flags = `0${span.traceFlags.toString(16)}`;
    }
  } catch {}
  return fields;
}
