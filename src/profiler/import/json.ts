// What both importers need to read a profile file: JSON parsing with a clear error, shape
// checks, and V8's names of the pseudo-frames.
import { SPECIAL_FRAME_NAMES } from '../export/names';
import type { ProfileFrame } from '../model';

export const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** Parses `text`; a syntax error becomes `invalid JSON: ...`. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`invalid JSON: ${(error as Error).message}`);
  }
}

/** `(idle)`, `(garbage collector)`, `(program)`: the model's special kinds by V8's names. */
export const SPECIAL_OF_NAME: Record<string, ProfileFrame['special']> = Object.fromEntries(
  Object.entries(SPECIAL_FRAME_NAMES).map(([kind, name]) => [name, kind]),
) as Record<string, ProfileFrame['special']>;
