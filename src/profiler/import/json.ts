// What both importers need to read a profile file: JSON parsing with a clear error, shape
// checks, V8's names of the pseudo-frames, and a thread's figures from its samples.
import { SPECIAL_FRAME_NAMES } from '../export/names';
import type { ProfileFrame, ProfileSample, ProfileThread } from '../model';

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

/** A thread's CPU time and sample count: its samples' weights, idle ones left out. */
export function busyFigures(
  samples: readonly ProfileSample[],
  frames: readonly ProfileFrame[],
): Pick<ProfileThread, 'cpuMs' | 'samples'> {
  let cpuUs = 0;
  let busy = 0;
  for (const sample of samples) {
    if (frames[sample.stack[sample.stack.length - 1] as number]?.special === 'idle') continue;
    cpuUs += sample.weightUs;
    busy++;
  }
  return { cpuMs: cpuUs / 1000, samples: busy };
}
