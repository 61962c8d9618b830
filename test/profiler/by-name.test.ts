// FiberProfile#byName(): the threads grouped by kind and name, their figures summed.
import { FiberProfile, type ProfileThread } from 'fiberscope/profiler';
import { describe, expect, it } from 'vitest';
import { inChild } from '../helpers/profile';

const thread = (id: number, name: string, cpuMs: number, readyMs?: number): ProfileThread => ({
  id,
  name,
  kind: id === 0 ? 'main' : 'fiber',
  cpuMs,
  wallMs: cpuMs * 3,
  waitMs: cpuMs * 2,
  samples: cpuMs,
  ...(readyMs === undefined ? {} : { readyMs }),
});

describe('FiberProfile#byName()', () => {
  it('sums each name group: fibers, cpuMs, wallMs, waitMs, readyMs, samples', () => {
    const profile = new FiberProfile({
      startTimeUs: 0,
      endTimeUs: 1000,
      intervalUs: 100,
      frames: [],
      samples: [],
      threads: [
        thread(0, 'main', 1),
        thread(3, 'GET /orders', 2, 0.5),
        thread(4, 'GET /users', 7),
        thread(5, 'GET /orders', 4, 0.25),
        thread(6, '', 1),
        // A fiber named "main" is not the main thread.
        thread(7, 'main', 1),
      ],
    });
    // Each thread's wall and wait times are 3x and 2x its CPU time, its samples equal to it.
    const group = (name: string, kind: string, ids: number[], cpuMs: number, readyMs: number) => ({
      name,
      kind,
      ids,
      fibers: ids.length,
      cpuMs,
      wallMs: cpuMs * 3,
      waitMs: cpuMs * 2,
      readyMs,
      samples: cpuMs,
    });
    expect(profile.byName()).toEqual([
      group('main', 'main', [0], 1, 0),
      group('GET /users', 'fiber', [4], 7, 0),
      group('GET /orders', 'fiber', [3, 5], 6, 0.75),
      group('', 'fiber', [6], 1, 0),
      group('main', 'fiber', [7], 1, 0),
    ]);
  });

  it('groups the fibers of a real profile by name', () => {
    const result = inChild(new URL('./fixtures/by-name-groups.js', import.meta.url));
    expect(result.names).toEqual(['fiber GET /orders 3', 'fiber GET /users 1', 'main main 1']);
    for (const key of ['cpuMs', 'waitMs', 'samples']) {
      const [group, sum] = result[key] as [number, number];
      expect(group).toBeCloseTo(sum, 9);
      expect(group).toBeGreaterThan(0);
    }
  });
});
