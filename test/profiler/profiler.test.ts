// The sampler sees every thread of the isolate and says which fiber each sample ran on.
import { FiberProfile, type Profile } from 'fiberscope/profiler';
import { describe, expect, it } from 'vitest';
import { inChild as profile } from '../helpers/profile';

describe('startProfiling()', () => {
  it('attributes CPU burned inside fibers to those fibers, by name', () => {
    const result = profile(new URL('./fixtures/heavy-and-light.js', import.meta.url));
    expect(result.names).toEqual(['main', 'heavy', 'light']);
    expect(result.kinds).toEqual(['main', 'fiber', 'fiber']);
    // Each function's samples landed on its own logical thread only.
    expect(result.where).toEqual({ inHeavy: ['heavy'], inLight: ['light'], onMain: ['main'] });
    // 180 ms against 60 ms of CPU: the heavy fiber gets clearly more (the bench measures how
    // close to the truth; a test only checks the order, the machine being shared).
    expect(result.heavyMs as number).toBeGreaterThan(result.lightMs as number);
    expect(result.heavyWall as number).toBeGreaterThanOrEqual(result.heavyWait as number);
  });

  it('names fibers named before it started: running ones, and ones started later', () => {
    const result = profile(new URL('./fixtures/named-before-start.js', import.meta.url));
    expect(result).toEqual(['GET /orders', 'done before a chunk', 'renamed before']);
  });

  it('records time without JavaScript as idle, and garbage collection as such', () => {
    const result = profile(new URL('./fixtures/idle-and-gc.js', import.meta.url));
    expect(result.idleMs as number).toBeGreaterThan(50);
    expect(result.gcMs as number).toBeGreaterThan(0);
    // Weights are measured time: together they cover the profile's span.
    expect(Math.abs((result.totalMs as number) - (result.spanMs as number))).toBeLessThan(2);
  });

  it('maps frames of TypeScript compiled with source maps to the .ts file', () => {
    const result = profile(new URL('./fixtures/typescript-frames.js', import.meta.url));
    // Samples inside burnTs sit in its loop (line 12 of the .ts source); one taken at its entry
    // or its return shows another line of the function (9 to 14), never one of the .js file.
    expect(result.length).toBeGreaterThan(0);
    const frames = result as unknown as Array<[boolean, number]>;
    for (const [isTs, line] of frames) {
      expect(isTs).toBe(true);
      expect(line).toBeGreaterThanOrEqual(9);
      expect(line).toBeLessThanOrEqual(14);
    }
    expect(frames.map(([, line]) => line)).toContain(12);
  });

  it('rejects bad options, a second profiler, and stop() twice', () => {
    const result = profile(new URL('./fixtures/profiler-misuse.js', import.meta.url));
    expect(result).toEqual([
      'RangeError: Expected the "intervalUs" option to be an integer from 50 to 1000000',
      'TypeError: Unknown option "interval"',
      'RangeError: Expected the "maxDepth" option to be an integer from 1 to 1024',
      'TypeError: Expected the options to be an object',
      'Error: The profiler is already running',
      'Error: The profiler was already stopped',
    ]);
  });
});

describe('new FiberProfile()', () => {
  it('rejects what is not a profile, by name', () => {
    expect(() => new FiberProfile(undefined as unknown as Profile)).toThrow(
      new TypeError('FiberProfile expects a Profile object'),
    );
    expect(() => new FiberProfile({ frames: [], samples: [] } as unknown as Profile)).toThrow(
      new TypeError('FiberProfile expects a Profile: "threads" is not an array'),
    );
  });
});
