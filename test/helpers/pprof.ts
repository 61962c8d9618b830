// pprof files read back: decoded with pprof-format (the reader Pyroscope's Node clients use), put
// in plain terms, and turned back into the profile model for round trips.
import { gunzipSync } from 'node:zlib';
import type { Profile, ProfileFrame, ProfileSample, ProfileThread } from 'fiberscope/profiler';
import { type Profile as Pprof, Profile as PprofProfile } from 'pprof-format';
import { expect } from 'vitest';

export function decode(bytes: Uint8Array): Pprof {
  // gzip's magic number: Pyroscope and `go tool pprof` sniff it.
  expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
  return PprofProfile.decode(gunzipSync(bytes));
}

/** A decoded profile in plain terms: names instead of string indices, stacks of names. */
export function readable(pprof: Pprof) {
  const str = (index: number | bigint) => {
    const s = pprof.stringTable.strings[Number(index)];
    if (s === undefined) throw new RangeError(`No string ${index}`);
    return s;
  };
  const functions = new Map(pprof.function.map((f) => [Number(f.id), f]));
  const locations = new Map(pprof.location.map((l) => [Number(l.id), l]));
  const where = (id: number | bigint) => {
    const location = locations.get(Number(id));
    if (location === undefined) throw new RangeError(`No location ${id}`);
    expect(location.line).toHaveLength(1);
    const line = location.line[0];
    const fn = line && functions.get(Number(line.functionId));
    if (line === undefined || fn === undefined) throw new RangeError(`No function at ${id}`);
    return {
      name: str(fn.name),
      file: str(fn.filename),
      line: Number(line.line),
      column: Number(line.column),
    };
  };
  return {
    str,
    sampleTypes: pprof.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`),
    samples: pprof.sample.map((s) => ({
      values: s.value.map(Number),
      labels: Object.fromEntries(
        s.label.map((l) => [str(l.key), Number(l.str) === 0 ? Number(l.num) : str(l.str)]),
      ),
      stack: s.locationId.map(where),
    })),
  };
}

const SPECIAL_OF_NAME: Record<string, ProfileFrame['special']> = {
  '(idle)': 'idle',
  '(garbage collector)': 'gc',
  '(program)': 'program',
};

/**
 * A pprof file of toPprof() back in the model, enough for toPprof() to write it again: frames one
 * per location, in the order the file's samples first use them (root first, as toPprof() numbers
 * them); one sample per pprof sample, its weight the wall time; threads from the fiber labels
 * (`(unnamed)` has no name, `(unknown)` is not listed). pprof keeps no sample times: samples are
 * laid end to end, in the file's order.
 */
export function fromPprof(bytes: Uint8Array): Profile {
  const pprof = decode(bytes);
  const { samples } = readable(pprof);
  const frames: ProfileFrame[] = [];
  const frameIndex = new Map<string, number>();
  const threads = new Map<number, ProfileThread>();
  const out: ProfileSample[] = [];
  let elapsed = 0;
  for (const { values, labels, stack } of samples) {
    const rootFirst = [...stack].reverse().map(({ name, file, line, column }) => {
      const key = JSON.stringify([name, file, line, column]);
      let index = frameIndex.get(key);
      if (index === undefined) {
        index = frames.length;
        const frame: ProfileFrame = { functionName: name, url: file, line, column, scriptId: 0 };
        const special = file === '' ? SPECIAL_OF_NAME[name] : undefined;
        if (special !== undefined) frame.special = special;
        frames.push(frame);
        frameIndex.set(key, index);
      }
      return index;
    });
    const threadId = labels.fiber_id as number;
    const name = labels.fiber_name as string;
    if (name !== '(unknown)' && !threads.has(threadId)) {
      threads.set(threadId, {
        id: threadId,
        name: name === '(unnamed)' ? '' : name,
        kind: threadId === 0 ? 'main' : 'fiber',
        cpuMs: 0,
        wallMs: 0,
        waitMs: 0,
        samples: 0,
      });
    }
    const weightUs = (values[2] as number) / 1000;
    elapsed += weightUs;
    out.push({ timeUs: elapsed, weightUs, threadId, stack: rootFirst });
  }
  return {
    startTimeUs: 0,
    endTimeUs: Number(pprof.durationNanos) / 1000,
    intervalUs: Number(pprof.period) / 1000,
    frames,
    samples: out,
    threads: [...threads.values()],
  };
}
