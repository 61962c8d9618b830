// Every format on real profiles (fixtures/, taken by fiberscope's profiler: see capture.js):
// exported, imported and exported again gives the same file, and the import keeps the threads,
// the samples and their weights, and the frames' names and positions. Formats without an
// importer in fiberscope (pprof, folded) are read back by the test helpers.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import {
  fromCpuProfile,
  fromSpeedscope,
  type Profile,
  type ProfileFrame,
  type ProfileSample,
  toCpuProfile,
  toFolded,
  toHtml,
  toPprof,
  toSpeedscope,
} from 'fiberscope/profiler';
import { describe, expect, it } from 'vitest';
import { fromFolded } from '../helpers/folded';
import { decode, fromPprof, readable } from '../helpers/pprof';
import { htmlData } from '../helpers/profile';

const load = (name: string): Profile =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Profile;

/** Each fixture, with what capture.js made its fibers do. */
const fixtures = [
  {
    file: 'fibers.json',
    fibers: ['parser', 'GET /orders', 'GET /orders', ''],
    waiting: ['parser', 'GET /orders', ''],
    hot: { parser: 'tokenize', main: 'mainWork' },
  },
  {
    file: 'chunks.json',
    fibers: ['worker', 'worker', 'worker', 'worker', 'encoder', 'encoder', 'encoder', 'encoder'],
    waiting: ['worker'],
    hot: { worker: 'resize', main: 'mainWork' },
  },
].map((fixture) => ({ ...fixture, profile: load(fixture.file) }));

/** A frame as the formats without script ids or empty names keep it. */
const named = (frame: ProfileFrame) => ({
  name: frame.functionName === '' ? '(anonymous)' : frame.functionName,
  url: frame.url,
  line: frame.line,
  column: frame.column,
  special: frame.special,
});

const stackOf = (profile: Profile, sample: ProfileSample) =>
  sample.stack.map((index) => profile.frames[index] as ProfileFrame);

/** Samples in time order (Array#sort is stable), as the exporters write them. */
const inTimeOrder = (samples: readonly ProfileSample[]) =>
  [...samples].sort((a, b) => a.timeUs - b.timeUs);

/** The threads that samples ran on, by id: what formats without a list of threads keep. */
const sampledThreads = (profile: Profile) => {
  const sampled = new Set(profile.samples.map((sample) => sample.threadId));
  return profile.threads
    .filter((thread) => sampled.has(thread.id))
    .map(({ id, kind, name }) => ({ id, kind, name }))
    .sort((a, b) => a.id - b.id);
};

const isIdle = (profile: Profile, sample: ProfileSample) =>
  profile.frames[sample.stack[sample.stack.length - 1] as number]?.special === 'idle';

describe.each(fixtures)('$file', ({ profile, fibers, waiting, hot }) => {
  it('is a real profile: named fibers, waits, idle and GC time, each doing its own work', () => {
    expect(profile.threads[0]).toMatchObject({ id: 0, kind: 'main', name: 'main' });
    const fiberThreads = profile.threads.filter((thread) => thread.kind === 'fiber');
    expect(fiberThreads.map((thread) => thread.name).sort()).toEqual([...fibers].sort());
    for (const thread of fiberThreads) {
      expect(thread.samples).toBeGreaterThan(0);
      const waited = thread.timeline?.some((segment) => segment.state === 'waiting');
      expect(waited).toBe(waiting.includes(thread.name));
    }
    const specials = new Set(
      profile.samples.map((sample) => stackOf(profile, sample).at(-1)?.special),
    );
    expect(specials).toContain('idle');
    expect(specials).toContain('gc');
    for (const [name, fn] of Object.entries(hot)) {
      const ids = new Set(profile.threads.filter((t) => t.name === name).map((t) => t.id));
      const where = new Set(
        profile.samples
          .filter((sample) => stackOf(profile, sample).some((f) => f.functionName === fn))
          .map((sample) => ids.has(sample.threadId)),
      );
      // fn ran on those threads only.
      expect([...where]).toEqual([true]);
    }
    for (const sample of profile.samples) {
      for (const index of sample.stack) expect(profile.frames[index]).toBeDefined();
    }
  });

  describe('.cpuprofile', () => {
    const exported = toCpuProfile(profile);
    const imported = fromCpuProfile(JSON.stringify(exported));

    it('exports, imports and exports the same file', () => {
      expect(JSON.stringify(toCpuProfile(imported))).toBe(JSON.stringify(exported));
      // One fiber alone, too.
      const alone = toCpuProfile(profile, (thread) => thread.name === fibers[0]);
      expect(alone.samples.length).toBeLessThan(exported.samples.length);
      expect(toCpuProfile(fromCpuProfile(JSON.stringify(alone)))).toEqual(alone);
    });

    it('imports every sample in time order: its frames, to the script id, and its weight', () => {
      const original = inTimeOrder(profile.samples);
      expect(imported.samples.map((sample) => stackOf(imported, sample))).toEqual(
        original.map((sample) => stackOf(profile, sample)),
      );
      // Times are whole microseconds: each weight within 1 µs; the last lasts to the end.
      const last = original.length - 1;
      original.forEach((sample, i) => {
        const weight = (imported.samples[i] as ProfileSample).weightUs;
        if (i < last) expect(Math.abs(weight - sample.weightUs)).toBeLessThanOrEqual(1);
        else expect(weight).toBeGreaterThanOrEqual(sample.weightUs - 1);
      });
    });

    it('has no threads: all of them merged into main', () => {
      const busy = profile.samples.filter((sample) => !isIdle(profile, sample));
      const cpuMs = busy.reduce((sum, sample) => sum + sample.weightUs, 0) / 1000;
      expect(imported.threads).toHaveLength(1);
      expect(imported.threads[0]).toMatchObject({ id: 0, kind: 'main', samples: busy.length });
      expect(Math.abs((imported.threads[0]?.cpuMs ?? 0) - cpuMs)).toBeLessThan(
        profile.samples.length / 1000,
      );
    });
  });

  describe('speedscope', () => {
    const exported = toSpeedscope(profile, 'fixture');
    const imported = fromSpeedscope(JSON.stringify(exported));
    const again = toSpeedscope(imported, 'fixture');

    it('exports, imports and exports the same file', () => {
      expect(JSON.stringify(again)).toBe(JSON.stringify(exported));
      expect(again.profiles[0]?.name).toBe('all threads');
    });

    // Sampled profiles hold no times: the merged `all threads` profile, in time order, gives the
    // imported samples theirs, on one timeline for all threads (each where its weight starts).
    it('imports the samples in the merged order, laid out by their weights', () => {
      const merged = exported.profiles[0];
      if (merged === undefined) throw new Error('No merged profile');
      expect(imported.samples.map((sample) => sample.stack)).toEqual(merged.samples);
      let at = 0;
      imported.samples.forEach((sample, i) => {
        expect(sample.timeUs).toBe(at);
        at += merged.weights[i] as number;
      });
    });

    it("imports every thread: its id, name and kind, and its samples' frames and weights", () => {
      expect(imported.threads.map(({ id, kind, name }) => ({ id, kind, name }))).toEqual(
        profile.threads.map(({ id, kind, name }) => ({ id, kind, name })),
      );
      for (const thread of profile.threads) {
        const own = (p: Profile) =>
          inTimeOrder(p.samples.filter((sample) => sample.threadId === thread.id));
        const back = own(imported);
        expect(back.map((sample) => stackOf(imported, sample).map(named))).toEqual(
          own(profile).map((sample) => stackOf(profile, sample).map(named)),
        );
        expect(back.map((sample) => sample.weightUs)).toEqual(
          own(profile).map((sample) => sample.weightUs),
        );
        const importedThread = imported.threads.find((t) => t.id === thread.id);
        expect(importedThread?.samples).toBe(thread.samples);
        expect(importedThread?.cpuMs).toBeCloseTo(thread.cpuMs, 6);
      }
    });
  });

  describe('pprof', () => {
    const timeNanos = 1_700_000_000_000_000_000n;
    const exported = toPprof(profile, { timeNanos });
    const imported = fromPprof(exported);

    it('exports, reads back and exports the same protocol buffer', () => {
      const again = toPprof(imported, { timeNanos });
      expect(Buffer.from(gunzipSync(again)).equals(gunzipSync(exported))).toBe(true);
    });

    it('keeps every sample in order: its thread, leaf-first stack and weight', () => {
      expect(imported.samples).toHaveLength(profile.samples.length);
      profile.samples.forEach((sample, i) => {
        const back = imported.samples[i] as ProfileSample;
        expect(back.threadId).toBe(sample.threadId);
        expect(stackOf(imported, back).map(named)).toEqual(stackOf(profile, sample).map(named));
        expect(back.weightUs).toBeCloseTo(sample.weightUs, 3);
      });
      expect(sampledThreads(imported)).toEqual(sampledThreads(profile));
      // CPU time leaves idle samples out.
      const { samples } = readable(decode(exported));
      profile.samples.forEach((sample, i) => {
        const idle = isIdle(profile, sample);
        expect(samples[i]?.values[0]).toBe(idle ? 0 : 1);
        expect(samples[i]?.values[1]).toBe(idle ? 0 : Math.round(sample.weightUs * 1000));
      });
    });
  });

  describe('folded stacks', () => {
    it.each([false, true])(
      'exports, reads back and exports the same text (byThread %s)',
      (byThread) => {
        const exported = toFolded(profile, { byThread });
        expect(exported.split('\n').length).toBeGreaterThan(10);
        expect(toFolded(fromFolded(exported, byThread), { byThread })).toBe(exported);
      },
    );

    it("keeps each thread's stacks, by name, file and line, and its time", () => {
      const imported = fromFolded(toFolded(profile, { byThread: true }), true);
      const where = ({ name, url, line, special }: ReturnType<typeof named>) =>
        special === undefined ? { name, url, line } : { name, url: '', line: 0 };
      for (const thread of profile.threads) {
        const stacks = (p: Profile) =>
          new Set(
            p.samples
              .filter((sample) => sample.threadId === thread.id)
              .map((sample) => JSON.stringify(stackOf(p, sample).map(named).map(where))),
          );
        expect(stacks(imported)).toEqual(stacks(profile));
        const total = (p: Profile) =>
          p.samples
            .filter((sample) => sample.threadId === thread.id)
            .reduce((sum, sample) => sum + sample.weightUs, 0);
        // Each line's weight is rounded to the microsecond.
        expect(Math.abs(total(imported) - total(profile))).toBeLessThanOrEqual(
          stacks(profile).size / 2,
        );
      }
      expect(sampledThreads(imported)).toEqual(sampledThreads(profile));
    });
  });

  it("writes the HTML page's data: each thread's time on each stack of functions", () => {
    const data = htmlData<{
      frames: Array<{ name: string; url: string }>;
      stacks: number[][];
      weights: Array<[number, number, number]>;
    }>(toHtml(profile));
    const sums = new Map<string, number>();
    const add = (thread: number, names: string[], weight: number) => {
      const key = `${thread}:${names.join(';')}`;
      sums.set(key, (sums.get(key) ?? 0) + weight);
    };
    for (const [thread, stack, weight] of data.weights) {
      const names = (data.stacks[stack] as number[]).map((f) => data.frames[f]?.name as string);
      add(thread, names, weight);
    }
    const expected = new Map(sums);
    sums.clear();
    for (const sample of profile.samples) {
      const names = stackOf(profile, sample).map((frame) => named(frame).name);
      add(sample.threadId, names, sample.weightUs);
    }
    expect([...expected.keys()].sort()).toEqual([...sums.keys()].sort());
    for (const [key, weight] of sums) expect(expected.get(key)).toBeCloseTo(weight, 2);
  });
});
