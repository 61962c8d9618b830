// The importers: .cpuprofile and speedscope files back into the profile model.
import { FiberProfile, fromCpuProfile, fromSpeedscope } from 'fiberscope/profiler';
import { describe, expect, it } from 'vitest';
import { ordersProfile } from '../helpers/profile';

const node = (id: number, functionName: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url: '/srv/app.js', lineNumber: id, columnNumber: 0, scriptId: '1' },
  hitCount: 0,
  children,
});

describe('fromCpuProfile()', () => {
  // The last sample lasts to the profile's end, as DevTools counts it: here 100 µs more.
  it('gives back the weights toCpuProfile() laid end to end, to the microsecond', () => {
    const profile = new FiberProfile(ordersProfile());
    const back = fromCpuProfile(JSON.stringify(profile.toCpuProfile()));
    const weights = back.samples.map((sample) => Math.round(sample.weightUs));
    const expected = profile.samples.map((sample) => Math.round(sample.weightUs));
    expected[expected.length - 1] += 100;
    expect(weights).toEqual(expected);
  });

  // V8 writes a negative delta now and then: the samples are taken in time order, so that the
  // CPU time never exceeds the span, as in DevTools.
  it('orders samples whose deltas go backwards', () => {
    const back = fromCpuProfile(
      JSON.stringify({
        nodes: [node(1, '(root)', [2, 3]), node(2, 'first'), node(3, 'second')],
        startTime: 0,
        endTime: 150,
        samples: [2, 3, 2],
        timeDeltas: [100, -50, 100],
      }),
    );
    expect(back.samples.map((sample) => [sample.timeUs, sample.weightUs])).toEqual([
      [50, 50],
      [100, 50],
      [150, 0],
    ]);
    const leaf = (i: number) => {
      const stack = back.samples[i]?.stack ?? [];
      return back.frames[stack[stack.length - 1] as number]?.functionName;
    };
    expect([leaf(0), leaf(1), leaf(2)]).toEqual(['second', 'first', 'first']);
    const main = back.threads[0];
    expect(main?.cpuMs).toBeLessThanOrEqual(main?.wallMs as number);
  });
});

describe('fromSpeedscope()', () => {
  it('gives threads back their ids from the labels; fiber #0 is only a name', () => {
    const sampled = (name: string) => ({
      type: 'sampled',
      name,
      unit: 'microseconds',
      startValue: 0,
      endValue: 10,
      samples: [[0]],
      weights: [10],
    });
    const back = fromSpeedscope(
      JSON.stringify({
        $schema: 'https://www.speedscope.app/file-format-schema.json',
        shared: { frames: [{ name: 'work' }] },
        profiles: [sampled('fiber #0 "x"'), sampled('main'), sampled('fiber #12 "GET /orders"')],
      }),
    );
    expect(back.threads.map(({ id, kind, name }) => `${id} ${kind} ${name}`)).toEqual([
      '0 main main',
      '1 fiber fiber #0 "x"',
      '12 fiber GET /orders',
    ]);
  });
});

describe("fromSpeedscope() on fiberscope's own files", () => {
  const profile = (name: string, samples: number[][], weights: number[]) => ({
    type: 'sampled',
    name,
    unit: 'microseconds',
    startValue: 0,
    endValue: weights.reduce((sum, weight) => sum + weight, 0),
    samples,
    weights,
  });
  const file = (merged: ReturnType<typeof profile>) =>
    JSON.stringify({
      $schema: 'https://www.speedscope.app/file-format-schema.json',
      shared: { frames: [{ name: 'x' }, { name: 'y' }, { name: 'z' }] },
      profiles: [
        merged,
        profile('fiber #1', [[0], [1]], [1, 1]),
        profile('fiber #2', [[0], [2]], [1, 2]),
      ],
      name: 'f',
      activeProfileIndex: 0,
      exporter: 'fiberscope',
    });
  const laidOut = (text: string) =>
    fromSpeedscope(text).samples.map(({ timeUs, threadId, stack }) => [timeUs, threadId, stack]);

  it('times the samples by the merged profile, trying each thread where samples are alike', () => {
    // x is next on both fibers: fiber #1 first leads nowhere (z is fiber #2's).
    const merged = profile('all threads', [[0], [2], [0], [1]], [1, 2, 1, 1]);
    expect(laidOut(file(merged))).toEqual([
      [0, 2, [0]],
      [1, 2, [2]],
      [3, 1, [0]],
      [4, 1, [1]],
    ]);
  });

  it('lays each thread out on its own when the threads do not interleave into it', () => {
    const merged = profile('all threads', [[0], [2], [1], [0]], [1, 2, 1, 1]);
    expect(laidOut(file(merged))).toEqual([
      [0, 1, [0]],
      [1, 1, [1]],
      [0, 2, [0]],
      [1, 2, [2]],
    ]);
  });
});
