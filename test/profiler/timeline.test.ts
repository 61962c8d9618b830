// Each fiber's wall time, split into running, waiting (and where it waited) and ready, from the
// runtime's switch events and the marks wait()/Future#wait()/Fiber.yield() leave while profiling.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/child';
import { inChild } from '../helpers/profile';

const dir = mkdtempSync(path.join(tmpdir(), 'fiberscope-timeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Line numbers matter: the waits are on lines 9, 10 and 11.
const FIXTURE = `'use strict';
const { spawn, sync, wait, Future } = require(${JSON.stringify(repoRoot)});
// sleep() is defined at the end.
const nap = sync(sleep);
function burn(ms) { const end = Date.now() + ms; let x = 0; while (Date.now() < end) x++; return x; }
exports.run = () => spawn(() => {
  for (let i = 0; i < 3; i++) {
    burn(2);
    wait(sleep(5));
    nap(2);
    Future.fromPromise(sleep(2)).wait();
  }
}, { name: 'sleeper' });
// At least ms from the call: a timer counts from the loop's cached time, which a busy machine can
// leave stale by more than the profiler's interval, too short for the wait to get its site.
function sleep(ms) {
  const end = performance.now() + ms;
  return new Promise((resolve) => {
    const check = () => (performance.now() >= end ? resolve() : setTimeout(check, end - performance.now()));
    check();
  });
}
`;

describe('the per-fiber timeline', () => {
  it('splits a fiber waiting on timers into running, waiting at its wait() lines, and ready', () => {
    const fixture = path.join(dir, 'sleeper.js');
    writeFileSync(fixture, FIXTURE);
    const result = inChild(
      `
      const profiler = startProfiling({ intervalUs: 500 });
      await require(process.argv[1]).run();
      const profile = profiler.stop();
      const fiber = profile.threads.find((t) => t.name === 'sleeper');
      const ms = (state) => fiber.timeline.filter((s) => s.state === state).reduce((sum, s) => sum + s.endUs - s.startUs, 0) / 1000;
      const ordered = fiber.timeline.every((s, i) => s.endUs >= s.startUs && (i === 0 || s.startUs >= fiber.timeline[i - 1].endUs - 1e-6));
      console.log(JSON.stringify({
        states: [...new Set(fiber.timeline.map((s) => s.state))].sort(),
        waits: fiber.timeline.filter((s) => s.state === 'waiting').map((s) => {
          const frame = profile.frames[s.frame];
          return frame ? frame.url + ':' + frame.line : 'none';
        }),
        runningMs: ms('running'), waitingMs: ms('waiting'), readyMs: ms('ready'),
        fiber: { wallMs: fiber.wallMs, waitMs: fiber.waitMs, readyMs: fiber.readyMs, timelineDropped: fiber.timelineDropped },
        ordered,
        mainTimeline: profile.threads[0].timeline === undefined,
      }));
    `,
      [fixture],
    );
    expect(result.states).toEqual(['ready', 'running', 'waiting']);
    // Nine waits, each at the fixture's own line: wait(), a sync() function, Future#wait().
    expect(result.waits).toEqual(
      Array.from({ length: 3 }, () => [`${fixture}:9`, `${fixture}:10`, `${fixture}:11`]).flat(),
    );
    const fiber = result.fiber as Record<string, number>;
    expect(fiber.timelineDropped).toBe(0);
    expect(fiber.readyMs).toBeGreaterThanOrEqual(0);
    expect(fiber.waitMs).toBeCloseTo(result.waitingMs as number, 6);
    expect(fiber.readyMs).toBeCloseTo(result.readyMs as number, 6);
    // running + waiting + ready is the fiber's wall time: the segments tile it.
    const sum = (result.runningMs as number) + (result.waitingMs as number) + fiber.readyMs;
    expect(sum).toBeCloseTo(fiber.wallMs, 3);
    expect(result.runningMs as number).toBeGreaterThan(0);
    expect(result.ordered).toBe(true);
    expect(result.mainTimeline).toBe(true);
  });

  it('keeps at most MAX_TIMELINE_SEGMENTS segments per fiber and counts the rest', () => {
    const result = inChild(`
      const profiler = startProfiling();
      await spawn(() => { for (let i = 0; i < 2000; i++) wait(tick()); }, { name: 'spinner' });
      const fiber = profiler.stop().threads.find((t) => t.name === 'spinner');
      console.log(JSON.stringify({ max: MAX_TIMELINE_SEGMENTS, kept: fiber.timeline.length,
        dropped: fiber.timelineDropped, wallMs: fiber.wallMs, suspendedMs: fiber.waitMs + fiber.readyMs }));
    `);
    expect(result.kept).toBe(result.max);
    // Each wait makes three segments (running, waiting, ready): about 6000 in all.
    expect(result.dropped as number).toBeGreaterThan(1000);
    // The totals still count every segment.
    expect(result.suspendedMs as number).toBeGreaterThan(0);
    expect(result.suspendedMs as number).toBeLessThanOrEqual(result.wallMs as number);
  });
});
