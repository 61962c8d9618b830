// Names shared by the exporters: V8's names for its pseudo-frames and the labels of logical
// threads; and what else they all need (samples in time order, the error for a missing frame).

import type { ProfileFrame, ProfileThread } from '../model';

/** The function names V8 gives its pseudo-frames in a `.cpuprofile`. */
export const SPECIAL_FRAME_NAMES: Readonly<Record<NonNullable<ProfileFrame['special']>, string>> = {
  idle: '(idle)',
  gc: '(garbage collector)',
  program: '(program)',
};

/** A frame's name for people: V8's name for a pseudo-frame, `(anonymous)` for a nameless function. */
export function displayName(frame: ProfileFrame): string {
  if (frame.special !== undefined) return SPECIAL_FRAME_NAMES[frame.special];
  return frame.functionName === '' ? '(anonymous)' : frame.functionName;
}

/** `main`, `fiber #12 "GET /orders"`, `fiber #12` (unnamed), `thread #7` (a sample's unknown thread). */
export function threadLabel(thread: ProfileThread | undefined, id: number): string {
  if (thread === undefined) return `thread #${id}`;
  if (thread.kind === 'main') return 'main';
  return thread.name === ''
    ? `fiber #${thread.id}`
    : `fiber #${thread.id} ${JSON.stringify(thread.name)}`;
}

/** Samples in time order (stable: samples taken at the same time keep their order). */
export function byTime<T extends { timeUs: number }>(samples: readonly T[]): T[] {
  return samples
    .map((sample, index) => ({ sample, index }))
    .sort((a, b) => a.sample.timeUs - b.sample.timeUs || a.index - b.index)
    .map(({ sample }) => sample);
}

/** What an exporter throws for a sample whose stack refers to a frame the profile lacks. */
export function missingFrame(index: number): RangeError {
  return new RangeError(`Sample refers to frame ${index}, not in frames`);
}
