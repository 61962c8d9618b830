// pprof: a gzipped `perftools.profiles.Profile` protocol buffer, what `go tool pprof`, Pyroscope
// and Grafana read.
// Spec: https://github.com/google/pprof/blob/main/proto/profile.proto
// (Pyroscope's ingestion: https://grafana.com/docs/pyroscope/latest/configure-client/).
//
// Three sample types, one pprof sample per model sample:
// - `samples/count`: 1 for a sample that ran (JavaScript, GC or `(program)`), 0 for an idle one;
// - `cpu/nanoseconds`: the sample's weight, 0 when idle (the default sample type);
// - `wall/nanoseconds`: the sample's weight, idle or not. The samples tile the profile's span
//   (each weight is the measured time since the one before), so summed they give its duration;
//   idle time shows as an `(idle)` function. This is the isolate's wall clock charged to whichever
//   thread ran, not a fiber's lifetime: a suspended fiber takes no samples.
// Every sample is labelled `fiber_id` (a num label of unit `id`, 0 for the main thread: Pyroscope
// makes series of str labels, and one per fiber would be too many) and `fiber_name` (a str label:
// `main`, the fiber's name, or `(unnamed)`). Stacks are leaf first, as pprof wants (the model's
// are root first). Lines are 1-based as in the model, 0 when unknown; V8 gives no function start
// line, so functions are one per name and file.

import { gzipSync } from 'node:zlib';
import {
  type FunctionInput,
  type LabelInput,
  type LocationInput,
  Profile as PprofProfile,
  type SampleInput,
  StringTable,
} from 'pprof-format';
import type { Profile, ProfileFrame, ProfileThread } from '../model';
import { displayName, missingFrame, SPECIAL_FRAME_NAMES } from './names';

export interface PprofOptions {
  /**
   * When the profile started, as nanoseconds since the Unix epoch (pprof's `time_nanos`). The
   * model's times are of the monotonic clock; by default the start is converted with this
   * process's offset between the two clocks (right for a profile taken on this machine since
   * it booted), so pass it for a profile from elsewhere or to get a reproducible file.
   */
  timeNanos?: bigint;
}

/** `fiber_name` for fibers without a name, and for samples of a thread not in `threads`. */
const UNNAMED_FIBER = '(unnamed)';
const UNKNOWN_THREAD = '(unknown)';

const NS_PER_US = 1000;

/** This process's epoch time of a monotonic (process.hrtime) timestamp in microseconds. */
function epochNanos(monotonicUs: number): bigint {
  const nowEpochNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  const nowMonotonicNs = process.hrtime.bigint();
  return nowEpochNs - (nowMonotonicNs - BigInt(Math.round(monotonicUs * NS_PER_US)));
}

function fiberName(thread: ProfileThread | undefined): string {
  if (thread === undefined) return UNKNOWN_THREAD;
  if (thread.kind === 'main') return 'main';
  return thread.name === '' ? UNNAMED_FIBER : thread.name;
}

/** The profile as a gzipped pprof protocol buffer. */
export function toPprof(profile: Profile, options: PprofOptions = {}): Uint8Array {
  const strings = new StringTable();
  const functions: FunctionInput[] = [];
  const locations: LocationInput[] = [];
  const functionIds = new Map<string, number>();
  const locationIds = new Map<string, number>();

  // Functions are one per name and file; locations one per function, line and column. The model
  // interns frames already, but pseudo-frames may repeat and differ only in what pprof drops.
  const functionId = (name: string, filename: string): number => {
    const key = `${name}\0${filename}`;
    let id = functionIds.get(key);
    if (id === undefined) {
      id = functions.length + 1;
      const nameIndex = strings.dedup(name);
      functions.push({
        id,
        name: nameIndex,
        systemName: nameIndex,
        filename: strings.dedup(filename),
      });
      functionIds.set(key, id);
    }
    return id;
  };
  const locationId = (name: string, filename: string, line: number, column: number): number => {
    const fn = functionId(name, filename);
    const key = `${fn}:${line}:${column}`;
    let id = locationIds.get(key);
    if (id === undefined) {
      id = locations.length + 1;
      locations.push({ id, line: [{ functionId: fn, line, column }] });
      locationIds.set(key, id);
    }
    return id;
  };
  const frameLocations = new Map<number, number>();
  const frameLocation = (index: number): number => {
    let id = frameLocations.get(index);
    if (id === undefined) {
      const frame: ProfileFrame | undefined = profile.frames[index];
      if (frame === undefined) throw missingFrame(index);
      id =
        frame.special === undefined
          ? locationId(displayName(frame), frame.url, frame.line, frame.column)
          : locationId(SPECIAL_FRAME_NAMES[frame.special], '', 0, 0);
      frameLocations.set(index, id);
    }
    return id;
  };

  // Sample types first, so that their strings get the low indices.
  const count = { type: strings.dedup('samples'), unit: strings.dedup('count') };
  const cpu = { type: strings.dedup('cpu'), unit: strings.dedup('nanoseconds') };
  const wall = { type: strings.dedup('wall'), unit: strings.dedup('nanoseconds') };
  const fiberIdKey = strings.dedup('fiber_id');
  const fiberNameKey = strings.dedup('fiber_name');
  // With a unit, `go tool pprof` keeps the main thread's 0 (it drops a unitless num label of 0).
  const idUnit = strings.dedup('id');
  const threads = new Map(profile.threads.map((thread) => [thread.id, thread]));
  const labels = new Map<number, LabelInput[]>();
  const labelsOf = (threadId: number): LabelInput[] => {
    let label = labels.get(threadId);
    if (label === undefined) {
      label = [
        { key: fiberIdKey, num: threadId, numUnit: idUnit },
        { key: fiberNameKey, str: strings.dedup(fiberName(threads.get(threadId))) },
      ];
      labels.set(threadId, label);
    }
    return label;
  };

  const samples: SampleInput[] = [];
  for (const sample of profile.samples) {
    // A sample with an empty stack counts as `(program)`, as in V8's profiles.
    const locationIdsLeafFirst =
      sample.stack.length === 0
        ? [locationId(SPECIAL_FRAME_NAMES.program, '', 0, 0)]
        : sample.stack.map(frameLocation).reverse();
    const leaf = profile.frames[sample.stack[sample.stack.length - 1] ?? -1];
    const idle = leaf?.special === 'idle';
    const ns = Math.round(sample.weightUs * NS_PER_US);
    samples.push({
      locationId: locationIdsLeafFirst,
      value: [idle ? 0 : 1, idle ? 0 : ns, ns],
      label: labelsOf(sample.threadId),
    });
  }

  const encoded = new PprofProfile({
    sampleType: [count, cpu, wall],
    sample: samples,
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: options.timeNanos ?? epochNanos(profile.startTimeUs),
    durationNanos: Math.max(0, Math.round((profile.endTimeUs - profile.startTimeUs) * NS_PER_US)),
    periodType: cpu,
    period: Math.round(profile.intervalUs * NS_PER_US),
    defaultSampleType: cpu.type,
  }).encode();
  return gzipSync(encoded);
}
