import { Fiber, type FiberEvent, recordFiberEvents } from 'fiberscope';
import { describe, expect, it } from 'vitest';

const shape = (events: FiberEvent[], ids: Map<number, string>) =>
  events
    .filter((event) => ids.has(event.fiberId))
    .map(
      (event) =>
        `${event.type} ${ids.get(event.fiberId)} ${ids.get(event.otherId) ?? event.otherId}`,
    );

describe('recordFiberEvents()', () => {
  it('records creation, run, yield, finish and throw with fiber ids, in order', () => {
    const recorder = recordFiberEvents();
    const inner = new Fiber(() => {
      Fiber.yield();
      throw new Error('inner fails');
    });
    const outer = new Fiber(() => {
      inner.run();
      Fiber.yield();
      try {
        inner.run();
      } catch {}
      return 1;
    });
    outer.run();
    outer.run();
    const events = recorder.stop();
    const ids = new Map([
      [0, 'main'],
      [inner.id, 'inner'],
      [outer.id, 'outer'],
    ]);
    expect(shape(events, ids)).toEqual([
      'created inner main',
      'created outer main',
      'run outer main',
      'run inner outer',
      'yield inner outer',
      'yield outer main',
      'run outer main',
      'run inner outer',
      'throw inner outer',
      'finish outer main',
    ]);
  });

  it('timestamps are monotonic nanoseconds on the clock of process.hrtime()', () => {
    const recorder = recordFiberEvents();
    const before = Number(process.hrtime.bigint());
    const fiber = new Fiber(() => Fiber.yield());
    fiber.run();
    fiber.run();
    const after = Number(process.hrtime.bigint());
    const events = recorder.stop();
    expect(events.map((event) => event.type)).toEqual(['created', 'run', 'yield', 'run', 'finish']);
    for (let i = 0; i < events.length; i++) {
      expect(events[i].timeNs).toBeGreaterThanOrEqual(i === 0 ? before : events[i - 1].timeNs);
      expect(events[i].timeNs).toBeLessThanOrEqual(after);
    }
  });

  it('drain() hands over what was recorded so far, and counts what a full ring dropped', () => {
    const recorder = recordFiberEvents({ capacity: 8 });
    const fiber = new Fiber(() => {
      for (;;) Fiber.yield();
    });
    fiber.run();
    expect(recorder.drain().map((event) => event.type)).toEqual(['created', 'run', 'yield']);
    for (let i = 0; i < 10; i++) fiber.run();
    const events = recorder.drain();
    expect(events.length).toBe(8);
    expect(recorder.dropped).toBe(12);
    expect(recorder.stop()).toEqual([]);
    fiber.reset();
  });

  it('keeps the order when the ring grows after a drain left it wrapped', () => {
    const recorder = recordFiberEvents({ capacity: 64 });
    const fiber = new Fiber(() => {
      for (;;) Fiber.yield();
    });
    fiber.run();
    fiber.run();
    expect(recorder.drain()).toHaveLength(5);
    fiber.run();
    expect(recorder.drain()).toHaveLength(2);
    for (let i = 0; i < 6; i++) fiber.run();
    const events = recorder.stop();
    expect(events.map((event) => event.type)).toEqual(Array(6).fill(['run', 'yield']).flat());
    for (let i = 1; i < events.length; i++) {
      expect(events[i].timeNs).toBeGreaterThanOrEqual(events[i - 1].timeNs);
    }
    expect(recorder.dropped).toBe(0);
    fiber.reset();
  });

  it('several recorders each get every event; nothing is recorded after stop()', () => {
    const first = recordFiberEvents();
    const second = recordFiberEvents();
    new Fiber(() => {}).run();
    expect(first.stop().map((event) => event.type)).toEqual(['created', 'run', 'finish']);
    new Fiber(() => {}).run();
    expect(second.stop().map((event) => event.type)).toEqual([
      'created',
      'run',
      'finish',
      'created',
      'run',
      'finish',
    ]);
    const late = recordFiberEvents();
    late.stop();
    new Fiber(() => {}).run();
    expect(late.drain()).toEqual([]);
  });

  it('rejects a bad capacity', () => {
    expect(() => recordFiberEvents({ capacity: 0 })).toThrow(RangeError);
    expect(() => recordFiberEvents({ capacity: 2.5 })).toThrow(
      'Expected the "capacity" option to be a positive integer',
    );
  });
});
