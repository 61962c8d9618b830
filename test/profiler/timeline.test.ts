// Each fiber's wall time, split into running, waiting (and where it waited) and ready, from the
// runtime's switch events and the marks wait()/Future#wait()/Fiber.yield() leave while profiling.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inChild } from '../helpers/profile';

describe('the per-fiber timeline', () => {
  it('splits a fiber waiting on timers into running, waiting at its wait() lines, and ready', () => {
    const result = inChild(new URL('./fixtures/timeline-sleeper.js', import.meta.url));
    expect(result.states).toEqual(['ready', 'running', 'waiting']);
    // Nine waits, each at the fixture's own line: wait(), a sync() function, Future#wait().
    const sleeper = fileURLToPath(new URL('./fixtures/sleeper.js', import.meta.url));
    expect(result.waits).toEqual(
      Array.from({ length: 3 }, () => [`${sleeper}:15`, `${sleeper}:16`, `${sleeper}:17`]).flat(),
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
    const result = inChild(new URL('./fixtures/timeline-spinner.js', import.meta.url));
    expect(result.kept).toBe(result.max);
    // Each wait makes three segments (running, waiting, ready): about 6000 in all.
    expect(result.dropped as number).toBeGreaterThan(1000);
    // The totals still count every segment.
    expect(result.suspendedMs as number).toBeGreaterThan(0);
    expect(result.suspendedMs as number).toBeLessThanOrEqual(result.wallMs as number);
  });
});
