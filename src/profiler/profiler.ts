// The sampler front end: starts the native sampler, the fiber event recorder and the timeline
// observer, and hands out what they recorded as chunks (chunk.ts), which assembleProfile() turns
// into the profile model (model.ts).
import type { FiberEventRecorder } from '../fiber/events';
import { hooks } from '../fiber/hooks';
import type { Binding, NativeSamples } from '../fiber/native';
import { fiberRuntime } from '../fiber/on-demand';
import { mapPosition } from '../stitch/source-maps';
import { OWN_DIR } from '../util/own-files';
import { type NameGroup, threadsByName } from './by-name';
import { assembleProfile, type ProfileChunk } from './chunk';
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
import { MarkBuffer, nowUs } from './marks';
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
    const given: unknown = profile;
    if (given === null || typeof given !== 'object') {
      throw new TypeError('FiberProfile expects a Profile object');
    }
    for (const key of ['frames', 'samples', 'threads'] as const) {
      if (!Array.isArray(profile[key])) {
        throw new TypeError(`FiberProfile expects a Profile: "${key}" is not an array`);
      }
    }
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

  /** The threads grouped by kind and name: `main`, then one group per fiber name. */
  byName(): NameGroup[] {
    return threadsByName(this);
  }
}

export interface ProfilingOptions {
  /** Sampling interval in microseconds. Default 1000 (1 ms); at least 50. */
  intervalUs?: number;
  /** Frames kept per sample, innermost first. Default 128. */
  maxDepth?: number;
}

const OPTION_NAMES = new Set(['intervalUs', 'maxDepth']);
const SAMPLE_FIELDS = 5;
/** Fiber events and marks (wait sites, readiness) kept between two chunks: past these, marks are
 *  dropped and the oldest events overwritten, so that a long capture of a busy process stays
 *  bounded (12 MB of events, 16 MB of marks). */
const EVENT_CAPACITY = 1 << 19;
const MARK_CAPACITY = 1 << 19;
let active: Profiler | undefined;

/** A running profiler: `stop()` returns the profile; `takeChunk()` hands out pieces of it. */
export class Profiler {
  readonly intervalUs: number;
  #binding: Binding;
  #events: FiberEventRecorder;
  #eventsDropped = 0;
  #names = new Map<number, string>();
  #named = new Set<number>();
  #marks = new MarkBuffer(MARK_CAPACITY);
  #marksDropped = 0;
  #chunksTaken = false;
  #stopped = false;

  /** @internal use startProfiling() */
  constructor(intervalUs: number, maxDepth: number) {
    this.intervalUs = intervalUs;
    // Loaded here, not with this module: its importers and exporters work without the addon.
    const { binding, Fiber, FiberEventRecorder } = fiberRuntime();
    this.#binding = binding;
    this.#events = new FiberEventRecorder({ capacity: EVENT_CAPACITY });
    const previous = hooks.names;
    hooks.names = (id, name) => {
      this.#noteName(id, name);
      previous?.(id, name);
    };
    // Fibers named before the profiler started were named where no profiler listened: those
    // running (the long-lived ones of a server it attaches to) are read off the live fibers here;
    // the others tell their names when they start (Fiber#run).
    for (const [fiber] of binding.liveFibers()) {
      if (fiber instanceof Fiber) this.#noteName(fiber.id, fiber.name);
    }
    try {
      binding.startSampling(intervalUs, maxDepth);
    } catch (error) {
      this.#events.stop();
      hooks.names = previous;
      throw error;
    }
    const marks = this.#marks;
    // Where a fiber waits takes a stack capture (~5 µs in a fiber): taken when the fiber runs
    // again, under the same callers, for a wait of at least an interval, and at most once an
    // interval, like a sample: a wait site is itself a sample of where fibers wait. Other waits
    // keep an unknown site (-1); short ones weigh little in the timeline.
    const pending = new Map<number, { index: number; generation: number; sinceUs: number }>();
    let lastCaptureUs = Number.NEGATIVE_INFINITY;
    hooks.timeline = {
      waiting: (fiberId) => {
        const sinceUs = nowUs();
        const index = marks.push(sinceUs, false, fiberId, -1);
        if (index >= 0) pending.set(fiberId, { index, generation: marks.generation, sinceUs });
      },
      resumed: (fiberId) => {
        const wait = pending.get(fiberId);
        if (wait === undefined) return;
        pending.delete(fiberId);
        const now = nowUs();
        if (wait.generation !== marks.generation || now - wait.sinceUs < intervalUs) return;
        if (now - lastCaptureUs < intervalUs) return;
        lastCaptureUs = now;
        // The site skips fiberscope's own frames (wait(), sync(), Future#wait()...).
        marks.setFrame(wait.index, binding.internCaller(OWN_DIR));
      },
      ready: (fiberId) => marks.push(nowUs(), true, fiberId, -1),
    };
  }

  /**
   * What was recorded since the last chunk (or the start), handed out and forgotten here: the
   * profiler keeps running. `assembleProfile()` builds the profile from all the chunks.
   */
  takeChunk(): ProfileChunk {
    if (this.#stopped) throw new Error('The profiler was already stopped');
    this.#chunksTaken = true;
    return this.#chunk(this.#binding.takeSamples(), this.#events.drain());
  }

  /** Stops sampling and returns the last chunk. */
  stopChunk(): ProfileChunk {
    if (this.#stopped) throw new Error('The profiler was already stopped');
    this.#stopped = true;
    active = undefined;
    hooks.names = undefined;
    hooks.timeline = undefined;
    const native = this.#binding.stopSampling();
    return this.#chunk(native, this.#events.stop());
  }

  /** Stops sampling and returns what was recorded. */
  stop(): FiberProfile {
    if (this.#chunksTaken && !this.#stopped) {
      throw new Error(
        'Chunks were taken from this profiler: end it with stopChunk() and pass every chunk to assembleProfile()',
      );
    }
    return new FiberProfile(assembleProfile([this.stopChunk()]));
  }

  // Unnamed fibers are the rule in a busy process: only names are kept ('' is the default), and
  // the renaming of a fiber that had one.
  #noteName(id: number, name: string): void {
    if (name !== '') this.#named.add(id);
    if (this.#named.has(id)) this.#names.set(id, name);
  }

  #chunk(native: NativeSamples, events: ReturnType<FiberEventRecorder['drain']>): ProfileChunk {
    const samples: ProfileChunk['samples'] = [];
    for (let i = 0; i < native.samples.length; i += SAMPLE_FIELDS) {
      samples.push([
        (native.samples[i] as number) / 1000,
        (native.samples[i + 1] as number) / 1000,
        native.samples[i + 2] as number,
        native.samples[i + 3] as number,
        native.samples[i + 4] as number,
      ]);
    }
    const stacks: ProfileChunk['stacks'] = [];
    for (let i = 0; i < native.stacks.length; i += 2) {
      stacks.push([native.stacks[i] as number, native.stacks[i + 1] as number]);
    }
    const dropped =
      this.#events.dropped - this.#eventsDropped + this.#marks.dropped - this.#marksDropped;
    this.#eventsDropped = this.#events.dropped;
    this.#marksDropped = this.#marks.dropped;
    const marks = this.#marks.take();
    const names = [...this.#names];
    this.#names.clear();
    return {
      startTimeUs: native.startNs / 1000,
      endTimeUs: native.endNs / 1000,
      intervalUs: this.intervalUs,
      firstFrame: native.firstFrame,
      // Frames of TypeScript or bundled code show their original files and lines.
      frames: native.frames.map(([functionName, url, line, column, scriptId]) => {
        const mapped = mapPosition(url, line, column);
        if (mapped === undefined) return { functionName, url, line, column, scriptId };
        return {
          functionName,
          url: mapped.file,
          line: mapped.line,
          column: mapped.column,
          scriptId,
        };
      }),
      firstStack: native.firstStack,
      stacks,
      samples,
      events: events.map((event) => [
        event.timeNs / 1000,
        event.type,
        event.fiberId,
        event.otherId,
      ]),
      marks,
      names,
      dropped,
    };
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
