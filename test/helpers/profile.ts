import type { Profile, ProfileFrame, ProfileSample } from 'fiberscope/profiler';
import { expect } from 'vitest';
import { runFixture } from './child';

/**
 * Runs a fixture program (`new URL('./fixtures/x.js', import.meta.url)`) in a child process, with
 * the garbage collector exposed, and returns what it printed as JSON (test/fixtures/run.js's
 * printResult()). Profiles are taken in child processes: the sampler is per process, and a child
 * keeps other tests' threads out of the samples.
 */
export function inChild(fixture: URL, args: string[] = []): Record<string, unknown> {
  const child = runFixture(fixture, { nodeArgs: ['--expose-gc'], timeoutMs: 30_000, args });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout);
}

/** Builders of hand-made profiles for the exporters' tests. */
export const frame = (
  functionName: string,
  url: string,
  line: number,
  column: number,
  scriptId = 7,
): ProfileFrame => ({ functionName, url, line, column, scriptId });

export const special = (kind: 'idle' | 'gc' | 'program'): ProfileFrame => ({
  ...frame('', '', 0, 0, 0),
  special: kind,
});

export const sample = (
  timeUs: number,
  weightUs: number,
  threadId: number,
  stack: number[],
): ProfileSample => ({ timeUs, weightUs, threadId, stack });

export const MAIN = 0;
export const ORDERS = 12;
export const UNNAMED = 13;

/** A main thread and two fibers (one named, one not), some JavaScript, idle and GC time. */
export function ordersProfile(): Profile {
  return {
    startTimeUs: 5_000_000,
    endTimeUs: 5_000_900,
    intervalUs: 100,
    frames: [
      frame('main', '/app/main.js', 1, 1, 10), // 0
      frame('handle', '/app/server.js', 10, 3, 11), // 1
      frame('query', '/app/db.js', 20, 5, 12), // 2
      frame('', '/app/db.js', 30, 7, 12), // 3: anonymous
      special('idle'), // 4
      special('gc'), // 5
    ],
    samples: [
      sample(100, 100, MAIN, [0]),
      sample(200, 100, ORDERS, [1, 2]),
      sample(300, 100, ORDERS, [1, 2, 3]),
      sample(400, 100, MAIN, [4]),
      sample(500, 100, UNNAMED, [1, 2]),
      sample(600.6, 100.4, MAIN, [5]),
      sample(700.2, 99.6, ORDERS, [1, 2]),
      sample(800, 100, MAIN, [0]),
    ],
    threads: [
      { id: MAIN, name: 'main', kind: 'main', cpuMs: 0.4004, wallMs: 0.9, waitMs: 0, samples: 4 },
      {
        id: ORDERS,
        name: 'GET /orders',
        kind: 'fiber',
        cpuMs: 0.2996,
        wallMs: 0.6,
        waitMs: 0.3,
        samples: 3,
      },
      { id: UNNAMED, name: '', kind: 'fiber', cpuMs: 0.1, wallMs: 0.2, waitMs: 0, samples: 1 },
    ],
  };
}

/** The data the HTML flame graph page carries (its JSON script element). */
export function htmlData<T>(html: string): T {
  const match = /<script type="application\/json" id="fiberscope-data">(.*?)<\/script>/s.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse((match as RegExpExecArray)[1] as string) as T;
}
