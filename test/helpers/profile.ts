import type { ProfileFrame, ProfileSample } from 'fiberscope/profiler';
import { expect } from 'vitest';
import { runScript } from './child';

/**
 * Runs `body` in an async function in a child process, with `spawn`, `wait`, `Fiber`, `Future`,
 * the profiler's exports, `burn(ms)`, `tick()` and `sleep(ms)` in scope, and returns what it
 * printed as JSON. Profiles are taken in child processes: the sampler is per process, and a child
 * keeps other tests' threads out of the samples.
 */
export function inChild(body: string, args: string[] = []): Record<string, unknown> {
  const child = runScript(
    `
    const { Fiber, Future, spawn, sync, wait } = require('fiberscope');
    const { startProfiling, assembleProfile, FiberProfile, MAX_TIMELINE_SEGMENTS } = require('fiberscope/profiler');
    function burn(ms) { const end = Date.now() + ms; let x = 0; while (Date.now() < end) x++; return x; }
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const leafOf = (profile, sample) => profile.frames[sample.stack[sample.stack.length - 1]];
    (async () => {
      ${body}
    })().catch((error) => { console.error(error); process.exit(1); });
    `,
    { nodeArgs: ['--expose-gc'], timeoutMs: 30_000, args },
  );
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

/** The data the HTML flame graph page carries (its JSON script element). */
export function htmlData<T>(html: string): T {
  const match = /<script type="application\/json" id="fiberscope-data">(.*?)<\/script>/s.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse((match as RegExpExecArray)[1] as string) as T;
}
