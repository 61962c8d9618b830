import { setTimeout as delay } from 'node:timers/promises';
import { Fiber, spawn, sync, wait } from 'fiberscope';
import { describe, expect, it } from 'vitest';

describe('wait()', () => {
  it('returns the value of a promise, while the event loop keeps running', async () => {
    const events: string[] = [];
    let settle: (value: string) => void = () => {};
    const promise = new Promise<string>((resolve) => {
      settle = resolve;
    });
    const result = spawn(() => {
      const value = wait(promise);
      events.push('fiber resumed');
      return value;
    });
    events.push('spawn returned');
    // Three turns of the event loop run while the fiber waits; the third settles its promise.
    let turns = 0;
    const turn = () => {
      events.push(`turn ${++turns}`);
      if (turns < 3) setImmediate(turn);
      else settle('value');
    };
    setImmediate(turn);
    expect(await result).toBe('value');
    expect(events).toEqual(['spawn returned', 'turn 1', 'turn 2', 'turn 3', 'fiber resumed']);
  });

  it('throws the reason of a rejected promise inside the fiber', async () => {
    const reason = new Error('rejected');
    const caught = await spawn(() => {
      try {
        wait(Promise.reject(reason));
      } catch (error) {
        return error;
      }
    });
    expect(caught).toBe(reason);
  });

  it('returns a non-thenable as it is, without suspending', async () => {
    const result = await spawn(() => [wait(5), wait(null), wait('x')]);
    expect(result).toEqual([5, null, 'x']);
  });

  it('accepts thenables that are not promises', async () => {
    const thenable = {
      then: (resolve: (value: number) => void) => setTimeout(() => resolve(7), 1),
    };
    expect(await spawn(() => wait(thenable))).toBe(7);
  });

  it('outside a fiber throws', () => {
    expect(() => wait(Promise.resolve(1))).toThrow(new Error("Can't wait without a fiber"));
  });

  it('interleaves many fibers, each seeing its own values', async () => {
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        spawn(() => {
          let total = 0;
          for (let step = 0; step < 5; step++) {
            total += wait(new Promise<number>((resolve) => setImmediate(() => resolve(i))));
          }
          return total;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 64 }, (_, i) => i * 5));
  });

  it('a promise that settles after its fiber was reset does not restart the fiber', async () => {
    let resolveLater: (value: string) => void = () => {};
    let starts = 0;
    const fiber = new Fiber(() => {
      starts++;
      wait(
        new Promise<string>((resolve) => {
          resolveLater = resolve;
        }),
      );
    });
    fiber.run();
    fiber.reset();
    resolveLater('late');
    await delay(5);
    expect(starts).toBe(1);
    expect(fiber.started).toBe(false);
  });
});

describe('sync()', () => {
  it('turns an async function into one that returns its value inside a fiber', async () => {
    const add = sync(async (a: number, b: number) => {
      await delay(1);
      return a + b;
    });
    expect(await spawn(() => add(2, 3))).toBe(5);
  });

  it('keeps `this`', async () => {
    const counter = {
      count: 41,
      next: sync(async function (this: { count: number }) {
        return ++this.count;
      }),
    };
    expect(await spawn(() => counter.next())).toBe(42);
  });

  it('throws for a non-function', () => {
    expect(() => sync(5 as unknown as () => Promise<void>)).toThrow(
      new TypeError('sync() expects a function'),
    );
  });
});

describe('spawn()', () => {
  it('runs at once until the first wait, and names the fiber', async () => {
    const order: string[] = [];
    const done = spawn(
      () => {
        order.push(`started ${Fiber.current?.name}`);
        wait(delay(1));
        order.push('resumed');
        return Fiber.current?.id;
      },
      { name: 'GET /orders' },
    );
    order.push('spawn returned');
    const id = await done;
    expect(order).toEqual(['started GET /orders', 'spawn returned', 'resumed']);
    expect(typeof id).toBe('number');
  });

  it('rejects with what the fiber throws, before or after a wait', async () => {
    await expect(
      spawn(() => {
        throw new Error('early');
      }),
    ).rejects.toThrow('early');
    await expect(
      spawn(() => {
        wait(delay(1));
        throw new Error('late');
      }),
    ).rejects.toThrow('late');
  });

  it('adopts a promise returned by the fiber function', async () => {
    expect(await spawn(() => delay(1, 'adopted'))).toBe('adopted');
  });

  it('throws for a non-function, and for a name that is not a string', () => {
    expect(() => spawn(null as unknown as () => void)).toThrow(
      new TypeError('spawn() expects a function'),
    );
    expect(() => spawn(() => 1, { name: 5 as unknown as string })).toThrow(
      new TypeError('Expected the "name" option to be a string'),
    );
  });
});
