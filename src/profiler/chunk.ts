// A piece of a profile as the running profiler hands it out (Profiler#takeChunk()), plain JSON so
// that it crosses the inspector, and the one assembler that builds the profile model from a list
// of chunks: Profiler#stop() and `fiberscope profile` both use it.
import type { FiberEventType } from '../fiber/events';
import type { Profile, ProfileFrame, ProfileSample, ProfileThread, TimelineSegment } from './model';

/** Sample kinds, as native/profiler/sampler.h numbers them. */
export const SAMPLE_JS = 0;
export const SAMPLE_IDLE = 1;
export const SAMPLE_GC = 2;

/** Segments kept per fiber in `ProfileThread.timeline`; the rest are counted, not kept. */
export const MAX_TIMELINE_SEGMENTS = 4096;

export interface ProfileChunk {
  /** When the profile started (monotonic clock, µs): the same in every chunk of a profile. */
  startTimeUs: number;
  /** The samples' weights cover the time up to here. */
  endTimeUs: number;
  intervalUs: number;
  /** The index of `frames[0]` in the profile: earlier frames came in earlier chunks. */
  firstFrame: number;
  /** New frames, source-mapped where the profile was taken. */
  frames: ProfileFrame[];
  /** The id of `stacks[0]`: earlier stacks came in earlier chunks. */
  firstStack: number;
  /** New stacks, each `[parent, frame]`: the stack of its callers (-1 for an outermost frame)
   *  and its innermost frame. A stack seen before keeps its id. */
  stacks: Array<[parent: number, frame: number]>;
  /** `[timeUs, weightUs, threadId, kind, stack]`: the time on the monotonic clock, kind one of
   *  SAMPLE_JS, SAMPLE_IDLE, SAMPLE_GC, the id of the stack (-1 for none). */
  samples: Array<[timeUs: number, weightUs: number, threadId: number, kind: number, stack: number]>;
  /** Fiber events: `[timeUs, type, fiberId, otherId]`, in time order. */
  events: Array<[timeUs: number, type: FiberEventType, fiberId: number, otherId: number]>;
  /** `[timeUs, 'wait', fiberId, frame]` (frame -1 when unknown) as a fiber yields,
   *  `[timeUs, 'ready', fiberId, -1]` as it becomes ready to run; in time order. */
  marks: Array<[timeUs: number, type: 'wait' | 'ready', fiberId: number, frame: number]>;
  /** Fiber names given or changed since the chunk before. */
  names: Array<[id: number, name: string]>;
  /** Fiber events and marks lost since the chunk before (their buffers filled up). */
  dropped: number;
}

/**
 * A finished profile (e.g. one V8 profiler cycle, read with fromCpuProfile()) as the chunk that
 * follows the ones `known` has seen: its frames are interned in `known` (by position and name),
 * its samples' times put on the first cycle's clock. `known` starts empty.
 */
export function chunkOfProfile(
  profile: Profile,
  known: { startTimeUs?: number; frames: Map<string, number>; stacks: Map<string, number> },
): ProfileChunk {
  known.startTimeUs ??= profile.startTimeUs;
  const firstFrame = known.frames.size;
  const firstStack = known.stacks.size;
  const stacks: ProfileChunk['stacks'] = [];
  const stackOf = (frameIds: number[]): number => {
    let stack = -1;
    for (const frame of frameIds) {
      const key = `${stack},${frame}`;
      let id = known.stacks.get(key);
      if (id === undefined) {
        id = firstStack + stacks.length;
        known.stacks.set(key, id);
        stacks.push([stack, frame]);
      }
      stack = id;
    }
    return stack;
  };
  const frames: ProfileFrame[] = [];
  const ids = profile.frames.map((frame) => {
    if (frame.special !== undefined) return -1;
    const key = JSON.stringify([frame.functionName, frame.url, frame.line, frame.column]);
    let id = known.frames.get(key);
    if (id === undefined) {
      id = firstFrame + frames.length;
      known.frames.set(key, id);
      frames.push(frame);
    }
    return id;
  });
  const samples = profile.samples.map((sample): ProfileChunk['samples'][number] => {
    const leaf = profile.frames[sample.stack[sample.stack.length - 1] as number];
    const kind =
      leaf?.special === 'idle' ? SAMPLE_IDLE : leaf?.special === 'gc' ? SAMPLE_GC : SAMPLE_JS;
    const frameIds = sample.stack.map((index) => ids[index] as number).filter((id) => id >= 0);
    const timeUs = profile.startTimeUs + sample.timeUs;
    return [
      timeUs,
      sample.weightUs,
      sample.threadId,
      kind,
      kind === SAMPLE_JS ? stackOf(frameIds) : -1,
    ];
  });
  return {
    startTimeUs: known.startTimeUs,
    endTimeUs: profile.endTimeUs,
    intervalUs: profile.intervalUs,
    firstFrame,
    frames,
    firstStack,
    stacks,
    samples,
    events: [],
    marks: [],
    names: [],
    dropped: 0,
  };
}

function check(chunks: readonly ProfileChunk[]): void {
  if (!Array.isArray(chunks as unknown)) {
    throw new TypeError('assembleProfile() expects an array of chunks');
  }
  if (chunks.length === 0) throw new RangeError('assembleProfile() needs at least one chunk');
  let frames = 0;
  let stacks = 0;
  chunks.forEach((chunk, i) => {
    const value: unknown = chunk;
    if (value === null || typeof value !== 'object') {
      throw new TypeError(`chunks[${i}] is not a chunk: ${value === null ? 'null' : typeof value}`);
    }
    if (!Number.isInteger(chunk.firstStack) || !Array.isArray(chunk.stacks)) {
      throw new TypeError(
        `chunks[${i}] has no stacks: it is not a chunk of this version of fiberscope's profiler`,
      );
    }
    if (chunk.startTimeUs !== chunks[0]?.startTimeUs) {
      throw new RangeError(`chunks[${i}] is from another profile (another startTimeUs)`);
    }
    if (chunk.firstFrame !== frames) {
      throw new RangeError(
        `chunks[${i}] starts at frame ${chunk.firstFrame}, but ${frames} frames came before it: a chunk is missing or out of order`,
      );
    }
    if (chunk.firstStack !== stacks) {
      throw new RangeError(
        `chunks[${i}] starts at stack ${chunk.firstStack}, but ${stacks} stacks came before it: a chunk is missing or out of order`,
      );
    }
    frames += chunk.frames.length;
    chunk.stacks.forEach(([parent, frame], j) => {
      // A stack's callers came before it: ids only grow, and every stack ends at the root.
      if (!(Number.isInteger(parent) && parent >= -1 && parent < stacks + j)) {
        throw new RangeError(
          `chunks[${i}].stacks[${j}] has a parent (${parent}) that is not an earlier stack`,
        );
      }
      if (!(Number.isInteger(frame) && frame >= 0 && frame < frames)) {
        throw new RangeError(
          `chunks[${i}].stacks[${j}] has a frame (${frame}) that no chunk so far holds`,
        );
      }
    });
    stacks += chunk.stacks.length;
    for (const sample of chunk.samples) {
      const stack = sample[4];
      if (!(Number.isInteger(stack) && stack >= -1 && stack < stacks)) {
        throw new RangeError(`chunks[${i}] has a sample of an unknown stack (${stack})`);
      }
    }
  });
}

/** Builds the profile model from every chunk of one profile, in the order they were taken. */
export function assembleProfile(chunks: readonly ProfileChunk[]): Profile {
  check(chunks);
  const first = chunks[0] as ProfileChunk;
  const startTimeUs = first.startTimeUs;
  const endTimeUs = (chunks[chunks.length - 1] as ProfileChunk).endTimeUs;
  const frames: ProfileFrame[] = chunks.flatMap((chunk) => chunk.frames);
  const special = (kind: 'idle' | 'gc' | 'program', functionName: string) => {
    frames.push({ functionName, url: '', line: 0, column: 0, scriptId: 0, special: kind });
    return frames.length - 1;
  };
  const idleFrame = special('idle', '(idle)');
  const gcFrame = special('gc', '(garbage collector)');
  const programFrame = special('program', '(program)');

  // Samples with the same stack share one array of frame indices, built when a sample needs it.
  const stackNodes = chunks.flatMap((chunk) => chunk.stacks);
  const stackFrames = new Map<number, number[]>();
  const framesOf = (id: number): number[] => {
    let known = stackFrames.get(id);
    if (known === undefined) {
      known = [];
      for (let at = id; at >= 0; at = (stackNodes[at] as [number, number])[0]) {
        known.push((stackNodes[at] as [number, number])[1]);
      }
      known.reverse();
      stackFrames.set(id, known);
    }
    return known;
  };
  const idleStack = [idleFrame];
  const gcStack = [gcFrame];
  const programStack = [programFrame];

  const samples: ProfileSample[] = [];
  const cpuUs = new Map<number, number>();
  const counts = new Map<number, number>();
  const names = new Map<number, string>();
  for (const chunk of chunks) {
    for (const [id, name] of chunk.names) names.set(id, name);
    for (const [timeUs, weightUs, threadId, kind, stackId] of chunk.samples) {
      let stack: number[];
      if (kind === SAMPLE_IDLE) stack = idleStack;
      else if (kind === SAMPLE_GC) stack = gcStack;
      else stack = stackId >= 0 ? framesOf(stackId) : programStack;
      samples.push({ timeUs: timeUs - startTimeUs, weightUs, threadId, stack });
      if (kind !== SAMPLE_IDLE) {
        cpuUs.set(threadId, (cpuUs.get(threadId) ?? 0) + weightUs);
        counts.set(threadId, (counts.get(threadId) ?? 0) + 1);
      }
    }
  }

  const threads: ProfileThread[] = [
    {
      id: 0,
      name: 'main',
      kind: 'main',
      cpuMs: (cpuUs.get(0) ?? 0) / 1000,
      wallMs: (endTimeUs - startTimeUs) / 1000,
      waitMs: 0,
      samples: counts.get(0) ?? 0,
    },
  ];
  const tracks = fiberTracks(chunks, startTimeUs, endTimeUs);
  const ids = new Set<number>([...tracks.keys(), ...cpuUs.keys()]);
  ids.delete(0);
  for (const id of [...ids].sort((a, b) => a - b)) {
    const track = tracks.get(id);
    threads.push({
      id,
      name: names.get(id) ?? '',
      kind: 'fiber',
      cpuMs: (cpuUs.get(id) ?? 0) / 1000,
      wallMs: track ? (track.endUs - track.startUs) / 1000 : 0,
      waitMs: track ? track.waitingUs / 1000 : 0,
      samples: counts.get(id) ?? 0,
      readyMs: track ? track.readyUs / 1000 : 0,
      timeline: track?.segments ?? [],
      timelineDropped: track?.dropped ?? 0,
    });
  }
  return { startTimeUs, endTimeUs, intervalUs: first.intervalUs, frames, samples, threads };
}

interface Track {
  /** Since the profile started. */
  startUs: number;
  endUs: number;
  state: TimelineSegment['state'] | undefined;
  sinceUs: number;
  /** Where the fiber is about to wait: the last 'wait' mark since it last ran. */
  site: number;
  frame: number;
  waitingUs: number;
  readyUs: number;
  segments: TimelineSegment[];
  dropped: number;
}

function enter(track: Track, state: Track['state'], atUs: number): void {
  if (track.state !== undefined && atUs > track.sinceUs) {
    const duration = atUs - track.sinceUs;
    if (track.state === 'waiting') track.waitingUs += duration;
    if (track.state === 'ready') track.readyUs += duration;
    if (track.segments.length < MAX_TIMELINE_SEGMENTS) {
      const segment: TimelineSegment = { state: track.state, startUs: track.sinceUs, endUs: atUs };
      if (track.state === 'waiting' && track.frame >= 0) segment.frame = track.frame;
      track.segments.push(segment);
    } else track.dropped++;
  }
  track.state = state;
  track.sinceUs = atUs;
}

type Step = [
  timeUs: number,
  type: FiberEventType | 'wait' | 'ready',
  fiberId: number,
  extra: number,
];

/** Each fiber's wall time, split into running, waiting and ready, from its events and marks. */
function fiberTracks(
  chunks: readonly ProfileChunk[],
  startTimeUs: number,
  endTimeUs: number,
): Map<number, Track> {
  // Marks first: a mark and the event it precedes never share a time, but if the clock says so,
  // the mark still comes first.
  const steps: Step[] = [
    ...chunks.flatMap((chunk) => chunk.marks),
    ...chunks.flatMap((chunk) => chunk.events),
  ];
  steps.sort((a, b) => a[0] - b[0]);
  const tracks = new Map<number, Track>();
  const endUs = endTimeUs - startTimeUs;
  for (const [timeUs, type, fiberId, extra] of steps) {
    if (type === 'created') continue;
    const atUs = timeUs - startTimeUs;
    let track = tracks.get(fiberId);
    if (type === 'wait') {
      if (track !== undefined) track.site = extra;
      else tracks.set(fiberId, newTrack(atUs, endUs, extra));
      continue;
    }
    if (track === undefined) {
      track = newTrack(atUs, endUs, -1);
      tracks.set(fiberId, track);
    }
    if (type === 'run') enter(track, 'running', atUs);
    else if (type === 'ready') {
      // A fiber already waiting when profiling began starts its timeline here.
      if (track.state === 'waiting' || track.state === undefined) enter(track, 'ready', atUs);
    } else if (type === 'yield') {
      enter(track, 'waiting', atUs);
      track.frame = track.site;
      track.site = -1;
    } else {
      enter(track, undefined, atUs);
      track.endUs = atUs;
    }
  }
  for (const track of tracks.values()) {
    if (track.state !== undefined) enter(track, undefined, track.endUs);
  }
  return tracks;
}

function newTrack(atUs: number, endUs: number, site: number): Track {
  return {
    startUs: atUs,
    endUs,
    state: undefined,
    sinceUs: atUs,
    site,
    frame: -1,
    waitingUs: 0,
    readyUs: 0,
    segments: [],
    dropped: 0,
  };
}
