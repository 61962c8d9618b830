// speedscope's file format.
// Spec: https://www.speedscope.app/file-format-schema.json
// (documented at https://github.com/jlfwong/speedscope/wiki/Importing-from-custom-sources;
// types in https://github.com/jlfwong/speedscope/blob/main/src/lib/file-format-spec.ts).
//
// One `sampled` profile per logical thread, after a merged one of all threads. Frames are shared:
// `shared.frames[i]` is the model's `frames[i]`, so sample stacks are the model's, root first.
// Lines and columns are 1-based, as speedscope's own importers write them; unknown ones are omitted.

import type { Profile, ProfileFrame, ProfileSample } from '../model';
import { byTime, displayName, missingFrame, threadLabel } from './names';

export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

export interface SpeedscopeFrame {
  name: string;
  file?: string;
  line?: number;
  col?: number;
}

export interface SpeedscopeSampledProfile {
  type: 'sampled';
  name: string;
  unit: 'microseconds';
  startValue: number;
  endValue: number;
  /** Stacks of indices into `shared.frames`, root first. */
  samples: number[][];
  /** The time each sample stands for, in `unit`. */
  weights: number[];
}

export interface SpeedscopeFile {
  $schema: typeof SPEEDSCOPE_SCHEMA;
  shared: { frames: SpeedscopeFrame[] };
  profiles: SpeedscopeSampledProfile[];
  name: string;
  activeProfileIndex: number;
  exporter: string;
}

function frameOf(frame: ProfileFrame): SpeedscopeFrame {
  const out: SpeedscopeFrame = { name: displayName(frame) };
  if (frame.special !== undefined) return out;
  if (frame.url !== '') out.file = frame.url;
  if (frame.line > 0) out.line = frame.line;
  if (frame.column > 0) out.col = frame.column;
  return out;
}

function sampled(name: string, samples: readonly ProfileSample[]): SpeedscopeSampledProfile {
  const weights = samples.map((sample) => sample.weightUs);
  return {
    type: 'sampled',
    name,
    unit: 'microseconds',
    // speedscope lays sampled profiles out by weight; the values span the weights' total.
    startValue: 0,
    endValue: weights.reduce((sum, weight) => sum + weight, 0),
    samples: samples.map((sample) => [...sample.stack]),
    weights,
  };
}

/**
 * The profile as a speedscope file: the merged profile `all threads` first (and active), then one
 * per thread in `profile.threads` order (`main`, `fiber #12 "GET /orders"`), samples in time order.
 */
export function toSpeedscope(profile: Profile, name = 'fiberscope profile'): SpeedscopeFile {
  const samples = byTime(profile.samples);
  for (const sample of samples) {
    for (const index of sample.stack) {
      if (profile.frames[index] === undefined) {
        throw missingFrame(index);
      }
    }
  }
  const profiles = [sampled('all threads', samples)];
  for (const thread of profile.threads) {
    const own = samples.filter((sample) => sample.threadId === thread.id);
    profiles.push(sampled(threadLabel(thread, thread.id), own));
  }
  return {
    $schema: SPEEDSCOPE_SCHEMA,
    shared: { frames: profile.frames.map(frameOf) },
    profiles,
    name,
    activeProfileIndex: 0,
    exporter: 'fiberscope',
  };
}
