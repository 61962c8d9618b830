// pprof export: decoded back with pprof-format, the reader Pyroscope's Node clients use.
import type { Profile, ProfileSample, ProfileThread } from 'fiberscope/profiler';
import { toPprof } from 'fiberscope/profiler';
import { describe, expect, it } from 'vitest';
import { runFixture } from '../helpers/child';
import { decode, readable } from '../helpers/pprof';
import { frame, MAIN, ORDERS, ordersProfile, sample, UNNAMED } from '../helpers/profile';

/** The exporters' fixture, with a second line of query() and a sample without any frame. */
function fixture(): Profile {
  const profile = ordersProfile();
  profile.frames.push(frame('query', '/app/db.js', 22, 9)); // 6: another line of query()
  (profile.samples[4] as ProfileSample).stack = [1, 6];
  (profile.samples[7] as ProfileSample).stack = [];
  (profile.threads[0] as ProfileThread).samples = 3;
  return profile;
}

describe('toPprof()', () => {
  it('writes every sample with its values, fiber labels and leaf-first stack', () => {
    const profile = fixture();
    const pprof = decode(toPprof(profile, { timeNanos: 1_700_000_000_123_456_789n }));
    const { str, sampleTypes, samples } = readable(pprof);

    expect(sampleTypes).toEqual(['samples/count', 'cpu/nanoseconds', 'wall/nanoseconds']);
    expect(`${str(pprof.periodType?.type ?? 0)}/${str(pprof.periodType?.unit ?? 0)}`).toBe(
      'cpu/nanoseconds',
    );
    expect(Number(pprof.period)).toBe(100_000);
    expect(str(pprof.defaultSampleType)).toBe('cpu');
    expect(BigInt(pprof.timeNanos)).toBe(1_700_000_000_123_456_789n);
    expect(Number(pprof.durationNanos)).toBe(900_000);

    // One pprof sample per model sample, in order. Idle time counts in wall only.
    expect(samples.map((s) => s.values)).toEqual([
      [1, 100_000, 100_000],
      [1, 100_000, 100_000],
      [1, 100_000, 100_000],
      [0, 0, 100_000],
      [1, 100_000, 100_000],
      [1, 100_400, 100_400],
      [1, 99_600, 99_600],
      [1, 100_000, 100_000],
    ]);
    for (const [i, s] of samples.entries()) {
      const model = profile.samples[i] as ProfileSample;
      expect(s.values[2]).toBe(Math.round(model.weightUs * 1000));
      if (s.values[0] === 1) expect(s.values[1]).toBe(Math.round(model.weightUs * 1000));
    }

    expect(samples.map((s) => s.labels)).toEqual([
      { fiber_id: MAIN, fiber_name: 'main' },
      { fiber_id: ORDERS, fiber_name: 'GET /orders' },
      { fiber_id: ORDERS, fiber_name: 'GET /orders' },
      { fiber_id: MAIN, fiber_name: 'main' },
      { fiber_id: UNNAMED, fiber_name: '(unnamed)' },
      { fiber_id: MAIN, fiber_name: 'main' },
      { fiber_id: ORDERS, fiber_name: 'GET /orders' },
      { fiber_id: MAIN, fiber_name: 'main' },
    ]);
    // fiber_id is a num label (no cardinality blow-up in Pyroscope), fiber_name a str label.
    for (const s of pprof.sample) {
      const [id, name] = s.label;
      expect(Number(id?.str)).toBe(0);
      // A unit, or `go tool pprof` drops the main thread's fiber_id of 0.
      expect(str(id?.numUnit ?? 0)).toBe('id');
      expect(Number(name?.num)).toBe(0);
      expect(Number(name?.str)).toBeGreaterThan(0);
    }

    const handle = { name: 'handle', file: '/app/server.js', line: 10, column: 3 };
    const query = { name: 'query', file: '/app/db.js', line: 20, column: 5 };
    const none = { file: '', line: 0, column: 0 };
    expect(samples.map((s) => s.stack)).toEqual([
      [{ name: 'main', file: '/app/main.js', line: 1, column: 1 }],
      [query, handle],
      [{ name: '(anonymous)', file: '/app/db.js', line: 30, column: 7 }, query, handle],
      [{ name: '(idle)', ...none }],
      [{ ...query, line: 22, column: 9 }, handle],
      [{ name: '(garbage collector)', ...none }],
      [query, handle],
      [{ name: '(program)', ...none }],
    ]);

    // Deduplicated: one location per frame used, one function per name and file (query() has
    // two lines, so two locations and one function).
    expect(pprof.location).toHaveLength(8);
    expect(pprof.function).toHaveLength(7);
    expect(new Set(pprof.location.map((l) => Number(l.id))).size).toBe(8);
    expect(pprof.location.every((l) => Number(l.id) > 0)).toBe(true);
    expect(new Set(pprof.function.map((f) => `${str(f.name)}\0${str(f.filename)}`)).size).toBe(7);

    // The string table starts with '', holds each string once, and every index is in range.
    const strings = pprof.stringTable.strings;
    expect(strings[0]).toBe('');
    expect(new Set(strings).size).toBe(strings.length);
    for (const s of [
      'samples',
      'count',
      'cpu',
      'wall',
      'nanoseconds',
      'fiber_id',
      'fiber_name',
      'id',
    ]) {
      expect(strings).toContain(s);
    }
  });

  it('places the profile in wall-clock time by default', () => {
    const profile = fixture();
    // The fixture started 5 s after the monotonic clock's origin.
    const expected = BigInt(Date.now()) * 1_000_000n - (process.hrtime.bigint() - 5_000_000_000n);
    const timeNanos = BigInt(decode(toPprof(profile)).timeNanos);
    const diffMs = Number(timeNanos - expected) / 1e6;
    expect(Math.abs(diffMs)).toBeLessThan(1000);
  });

  it('writes an empty profile', () => {
    const pprof = decode(toPprof({ ...fixture(), samples: [] }));
    expect(pprof.sample).toEqual([]);
    expect(pprof.location).toEqual([]);
    expect(pprof.sampleType).toHaveLength(3);
  });

  it('rejects a sample whose frame is missing', () => {
    const profile = fixture();
    profile.samples.push(sample(900, 100, MAIN, [0, 99]));
    expect(() => toPprof(profile)).toThrow(RangeError);
  });

  it('puts a real fiber’s hot function at the leaf of its samples', () => {
    const before = Date.now();
    const child = runFixture(new URL('./fixtures/pprof-cruncher.js', import.meta.url), {
      timeoutMs: 30_000,
    });
    const after = Date.now();
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const pprof = decode(Buffer.from(child.stdout, 'base64'));
    const { sampleTypes, samples } = readable(pprof);
    expect(sampleTypes).toEqual(['samples/count', 'cpu/nanoseconds', 'wall/nanoseconds']);
    expect(Number(pprof.period)).toBe(500_000);
    // Taken while the child ran: no earlier than this test started it (1 ms for the two clocks'
    // rounding: the profile's time is performance.timeOrigin + performance.now()).
    const ageMs = after - Number(BigInt(pprof.timeNanos) / 1_000_000n);
    expect(ageMs).toBeGreaterThan(0);
    expect(ageMs).toBeLessThanOrEqual(after - before + 1);

    const cruncher = samples.filter((s) => s.labels.fiber_name === 'cruncher');
    expect(cruncher.length).toBeGreaterThan(0);
    const fiberIds = new Set(cruncher.map((s) => s.labels.fiber_id));
    expect(fiberIds.size).toBe(1);
    expect([...fiberIds][0]).toBeGreaterThan(0);
    // The hot function is burn() (test/fixtures/work.js), which hotLoop() calls.
    const hot = cruncher.filter(
      (s) => s.stack[0]?.name === 'burn' && s.stack[1]?.name === 'hotLoop',
    );
    expect(hot.length).toBeGreaterThan(0);
    for (const s of hot) {
      expect(s.stack[0]?.line).toBeGreaterThan(0);
      expect(s.values[0]).toBe(1);
      expect(s.values[1]).toBeGreaterThan(0);
      expect(s.values[2]).toBe(s.values[1]);
    }
    // hotLoop ran on the fiber only, and was a leaf more often than not there.
    expect(hot.length * 2).toBeGreaterThan(cruncher.filter((s) => s.values[0] === 1).length);
    for (const s of samples) {
      if (s.stack.some((f) => f.name === 'hotLoop')) expect(s.labels.fiber_name).toBe('cruncher');
    }
    expect(samples.some((s) => s.labels.fiber_name === 'main' && s.labels.fiber_id === 0)).toBe(
      true,
    );
  });
});
