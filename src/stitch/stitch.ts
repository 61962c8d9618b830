// stitch(err): the structure of an error's stitched trace, following causes and aggregated
// errors. Never throws, whatever it is given.
import type { StitchedError } from './model';
import { parseStackText } from './parse';

function read(target: object, key: string | symbol): unknown {
  try {
    return (target as Record<string | symbol, unknown>)[key];
  } catch {
    return undefined;
  }
}

function text(value: unknown, fallback: string): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return fallback;
  try {
    return String(value);
  } catch {
    return fallback;
  }
}

function nameOf(error: object): string {
  const name = read(error, 'name');
  if (typeof name === 'string' && name !== '') return name;
  try {
    const constructorName = (error as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof constructorName === 'string' && constructorName !== '') return constructorName;
  } catch {}
  return 'Error';
}

function build(error: unknown, seen: Set<unknown>): StitchedError | undefined {
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) {
    if (error === undefined) return undefined;
    return {
      name: typeof error,
      message: text(error, ''),
      segments: [{ kind: 'error', frames: [] }],
    };
  }
  if (seen.has(error)) return undefined;
  seen.add(error);
  const name = nameOf(error);
  const message = text(read(error, 'message'), '');
  const stack = read(error, 'stack');
  let segments: StitchedError['segments'] = [{ kind: 'error', frames: [] }];
  try {
    if (typeof stack === 'string') segments = parseStackText(stack).segments;
  } catch {}
  const stitched: StitchedError = { name, message, segments };
  try {
    const errors = read(error, 'errors');
    if (Array.isArray(errors) && (error instanceof AggregateError || name === 'AggregateError')) {
      const inner = errors.map((each) => build(each, seen));
      stitched.errors = inner.filter((each): each is StitchedError => each !== undefined);
    }
  } catch {
    // An `errors` list that cannot be read leaves the rest of the trace intact.
  }
  const cause = read(error, 'cause');
  if (cause !== undefined) {
    const built = build(cause, seen);
    if (built) stitched.cause = built;
  }
  return stitched;
}

/**
 * The stitched trace of `error` as a structure: its segments (V8's frames, then where a fiber
 * waited, was spawned or was run) with parsed frames, and the same for `cause` and, for an
 * AggregateError, `errors`. Cycles are cut. Returns undefined only for `undefined`; a thrown
 * primitive becomes `{ name: typeof value, message: String(value) }`.
 */
export function stitch(error: unknown): StitchedError | undefined {
  try {
    return build(error, new Set());
  } catch {
    return undefined;
  }
}
