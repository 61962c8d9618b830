// The sampler front end: starts the native sampler and the fiber event recorder, and turns what
// they recorded into the profile model (src/profiler/model.ts).
import { type FiberEvent, FiberEventRecorder } from '../fiber/events';
import { fiberNames } from '../fiber/fiber';
import { binding, type NativeSamples } from '../fiber/native';
import { mapPosition } from '../stitch/source-maps';
import {
  type CpuProfile,
  type FoldedOptions,
  type HtmlOptions,
  type PprofOptions,
  type SpeedscopeFile,
  toCpuProfile,
  toFolded,
  toHtml,
  toPprof,
  toSpeedscope,
} from './export';
import type { Profile, ProfileFrame, ProfileSample, ProfileThread } from './model';

/** A finished profile: the model, and one method per format it exports to. */
export class FiberProfile implements Profile {
  readonly startTimeUs: number;
  readonly endTimeUs: number;
  readonly intervalUs: number;
  readonly frames: ProfileFrame[];
  readonly samples: ProfileSample[];
  readonly threads: ProfileThread[];

  constructor(profile: Profile) {
    this.startTimeUs = profile.startTimeUs;
    this.endTimeUs = profile.endTimeUs;
    this.intervalUs = profile.intervalUs;
    this.frames = profile.frames;
    this.samples = profile.samples;
    this.threads = profile.threads;
  }

  /** `.cpuprofile` JSON for Chrome DevTools and VS Code; `filter` keeps some threads only. */
  toCpuProfile(filter?: (thread: ProfileThread) => boolean): CpuProfile {
    return toCpuProfile(this, filter);
  }

  /** speedscope's file format: one profile per logical thread, plus all threads merged. */
  toSpeedscope(name?: string): SpeedscopeFile {
    return toSpeedscope(this, name);
  }

  /** flamegraph.pl / inferno folded stacks. */
  toFolded(options?: FoldedOptions): string {
    return toFolded(this, options);
  }

  /** A self-contained HTML page with an interactive flame graph (per thread, zoom, search). */
  toHtml(options?: HtmlOptions): string {
    return toHtml(this, options);
  }

  /** pprof (gzipped profile.proto) for `go tool pprof`, Pyroscope and Grafana. */
  toPprof(options?: PprofOptions): Uint8Array {
    return toPprof(this, options);
  }
}

export interface ProfilingOptions {
  /** Sampling interval in microseconds. Default 1000 (1 ms); at least 50. */
  intervalUs?: number;
  /** Frames kept per sample, innermost first. Default 128. */
  maxDepth?: number;
}

const OPTION_NAMES = new Set(['intervalUs', 'maxDepth']);
let active: Profiler | undefined;

/** A running profiler; `stop()` returns the profile. */
export class Profiler {
  readonly intervalUs: number;
  #events: FiberEventRecorder;
  #names = new Map<number, string>();
  #stopped = false;

  /** @internal use startProfiling() */
  constructor(intervalUs: number, maxDepth: number) {
    this.intervalUs = intervalUs;
    this.#events = new FiberEventRecorder({ capacity: 1 << 20 });
    const previous = fiberNames.observer;
    fiberNames.observer = (id, name) => {
      this.#names.set(id, name);
      previous?.(id, name);
    };
    try {
      binding.startSampling(intervalUs, maxDepth);
    } catch (error) {
      this.#events.stop();
      fiberNames.observer = previous;
      throw error;
    }
  }

  /** Stops sampling and returns what was recorded. */
  stop(): FiberProfile {
    if (this.#stopped) throw new Error('The profiler was already stopped');
    this.#stopped = true;
    active = undefined;
    fiberNames.observer = undefined;
    const native = binding.stopSampling();
    const events = this.#events.stop();
    return new FiberProfile(buildProfile(native, events, this.#names, this.intervalUs));
  }
}

/**
 * Starts sampling every thread of this isolate (the main thread and every fiber) at the given
 * interval. One profiler runs at a time.
 */
export function startProfiling(options: ProfilingOptions = {}): Profiler {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('Expected the options to be an object');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) throw new TypeError(`Unknown option "${key}"`);
  }
  const intervalUs = options.intervalUs ?? 1000;
  const maxDepth = options.maxDepth ?? 128;
  if (!Number.isInteger(intervalUs) || intervalUs < 50 || intervalUs > 1_000_000) {
    throw new RangeError('Expected the "intervalUs" option to be an integer from 50 to 1000000');
  }
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 1024) {
    throw new RangeError('Expected the "maxDepth" option to be an integer from 1 to 1024');
  }
  if (active !== undefined) throw new Error('The profiler is already running');
  active = new Profiler(intervalUs, maxDepth);
  return active;
}

const KIND_JS = 0;
const KIND_IDLE = 1;
const FIELDS = 6;

function buildProfile(
  native: NativeSamples,
  events: FiberEvent[],
  names: Map<number, string>,
  intervalUs: number,
): Profile {
  const startTimeUs = native.startNs / 1000;
  const endTimeUs = native.stopNs / 1000;
  // Frames of TypeScript or bundled code show their original files and lines.
  const frames: ProfileFrame[] = native.frames.map(
    ([functionName, url, line, column, scriptId]) => {
      const mapped = mapPosition(url, line, column);
      if (mapped === undefined) return { functionName, url, line, column, scriptId };
      return { functionName, url: mapped.file, line: mapped.line, column: mapped.column, scriptId };
    },
  );
  const special = (kind: 'idle' | 'gc' | 'program', functionName: string) => {
    frames.push({ functionName, url: '', line: 0, column: 0, scriptId: 0, special: kind });
    return frames.length - 1;
  };
  const idleFrame = special('idle', '(idle)');
  const gcFrame = special('gc', '(garbage collector)');
  const programFrame = special('program', '(program)');

  const samples: ProfileSample[] = [];
  const cpuUs = new Map<number, number>();
  const counts = new Map<number, number>();
  for (let i = 0; i < native.samples.length; i += FIELDS) {
    const kind = native.samples[i + 5];
    const threadId = native.samples[i + 2];
    const begin = native.samples[i + 3];
    const size = native.samples[i + 4];
    let stack: number[];
    if (kind === KIND_IDLE) stack = [idleFrame];
    else if (kind === KIND_JS)
      stack = size > 0 ? Array.from(native.stacks.subarray(begin, begin + size)) : [programFrame];
    else stack = [gcFrame];
    const weightUs = native.samples[i + 1] / 1000;
    samples.push({ timeUs: native.samples[i] / 1000 - startTimeUs, weightUs, threadId, stack });
    if (kind !== KIND_IDLE) {
      cpuUs.set(threadId, (cpuUs.get(threadId) ?? 0) + weightUs);
      counts.set(threadId, (counts.get(threadId) ?? 0) + 1);
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
  const timelines = fiberTimelines(events, endTimeUs);
  const ids = new Set<number>([...timelines.keys(), ...cpuUs.keys()]);
  ids.delete(0);
  for (const id of [...ids].sort((a, b) => a - b)) {
    const timeline = timelines.get(id);
    threads.push({
      id,
      name: names.get(id) ?? '',
      kind: 'fiber',
      cpuMs: (cpuUs.get(id) ?? 0) / 1000,
      wallMs: timeline ? (timeline.endUs - timeline.startUs) / 1000 : 0,
      waitMs: timeline ? timeline.waitUs / 1000 : 0,
      samples: counts.get(id) ?? 0,
    });
  }
  return { startTimeUs, endTimeUs, intervalUs, frames, samples, threads };
}

interface Timeline {
  startUs: number;
  endUs: number;
  waitUs: number;
  suspendedAtUs: number | undefined;
}

/** From the switch events: when each fiber first ran, when it ended, how long it waited. */
function fiberTimelines(events: FiberEvent[], endTimeUs: number): Map<number, Timeline> {
  const timelines = new Map<number, Timeline>();
  for (const event of events) {
    const timeUs = event.timeNs / 1000;
    let timeline = timelines.get(event.fiberId);
    if (event.type === 'created') continue;
    if (timeline === undefined) {
      timeline = { startUs: timeUs, endUs: endTimeUs, waitUs: 0, suspendedAtUs: undefined };
      timelines.set(event.fiberId, timeline);
    }
    if (event.type === 'yield') timeline.suspendedAtUs = timeUs;
    if (event.type === 'run' && timeline.suspendedAtUs !== undefined) {
      timeline.waitUs += timeUs - timeline.suspendedAtUs;
      timeline.suspendedAtUs = undefined;
    }
    if (event.type === 'finish' || event.type === 'throw') timeline.endUs = timeUs;
  }
  for (const timeline of timelines.values()) {
    if (timeline.suspendedAtUs !== undefined)
      timeline.waitUs += timeline.endUs - timeline.suspendedAtUs;
  }
  return timelines;
}
