import { Fiber } from 'fiberscope';
import { describe, expect, it } from 'vitest';

describe('Fiber#run() and Fiber.yield()', () => {
  it('passes values both ways', () => {
    const seen: unknown[] = [];
    const fiber = new Fiber((first: unknown) => {
      seen.push(first);
      seen.push(Fiber.yield('a'));
      seen.push(Fiber.yield('b'));
      return 'done';
    });
    expect(fiber.run(1)).toBe('a');
    expect(fiber.run(2)).toBe('b');
    expect(fiber.run(3)).toBe('done');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('calls the function with no argument when run() has none', () => {
    const fiber = new Fiber((...args: unknown[]) => args.length);
    expect(fiber.run()).toBe(0);
    expect(fiber.run(undefined)).toBe(1);
  });

  it('passes objects by identity', () => {
    const object = { deep: [1, 2, 3] };
    const fiber = new Fiber((value: unknown) => Fiber.yield(value));
    expect(fiber.run(object)).toBe(object);
    expect(fiber.run(object)).toBe(object);
  });

  it('propagates an exception thrown in the fiber to run()', () => {
    const error = new Error('inside');
    const fiber = new Fiber(() => {
      Fiber.yield();
      throw error;
    });
    fiber.run();
    expect(() => fiber.run()).toThrow(error);
    expect(fiber.started).toBe(false);
  });

  it('throws a non-Error value through as it is', () => {
    const fiber = new Fiber(() => {
      throw 'plain string';
    });
    let caught: unknown;
    try {
      fiber.run();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe('plain string');
  });

  it('throwInto() makes the pending yield throw, and the fiber can catch it', () => {
    const fiber = new Fiber(() => {
      try {
        Fiber.yield();
      } catch (error) {
        return `caught ${(error as Error).message}`;
      }
      return 'not caught';
    });
    fiber.run();
    expect(fiber.throwInto(new Error('from outside'))).toBe('caught from outside');
  });

  it('runs nested fibers and returns to the right caller', () => {
    const order: string[] = [];
    const inner = new Fiber(() => {
      order.push('inner 1');
      Fiber.yield('inner yielded');
      order.push('inner 2');
      return 'inner done';
    });
    const outer = new Fiber(() => {
      order.push('outer 1');
      expect(Fiber.current).toBe(outer);
      expect(inner.run()).toBe('inner yielded');
      expect(Fiber.current).toBe(outer);
      Fiber.yield('outer yielded');
      expect(inner.run()).toBe('inner done');
      order.push('outer 2');
      return 'outer done';
    });
    expect(outer.run()).toBe('outer yielded');
    expect(Fiber.current).toBeUndefined();
    expect(outer.run()).toBe('outer done');
    expect(order).toEqual(['outer 1', 'inner 1', 'inner 2', 'outer 2']);
  });

  it('runs a fiber again after it finished, as node-fibers does', () => {
    let calls = 0;
    const fiber = new Fiber(() => {
      calls++;
      Fiber.yield(calls);
      return -calls;
    });
    expect(fiber.run()).toBe(1);
    expect(fiber.run()).toBe(-1);
    expect(fiber.started).toBe(false);
    expect(fiber.run()).toBe(2);
    expect(fiber.started).toBe(true);
    expect(fiber.run()).toBe(-2);
  });

  it('lets a yielded fiber be resumed from another fiber', () => {
    const worker = new Fiber(() => {
      const first = Fiber.yield('ready');
      return `${first} then ${Fiber.yield('again')}`;
    });
    expect(worker.run()).toBe('ready');
    const other = new Fiber(() => worker.run('from other'));
    expect(other.run()).toBe('again');
    expect(worker.run('from main')).toBe('from other then from main');
  });

  it('gives every fiber a unique id and a settable name', () => {
    const a = new Fiber(() => {});
    const b = new Fiber(() => {}, { name: 'GET /orders' });
    expect(a.id).not.toBe(b.id);
    expect(Number.isInteger(a.id) && a.id > 0).toBe(true);
    expect(a.name).toBe('');
    expect(b.name).toBe('GET /orders');
    a.name = 'renamed';
    expect(a.name).toBe('renamed');
    expect(() => {
      (a as unknown as { name: unknown }).name = 42;
    }).toThrow(new TypeError('Fiber name must be a string'));
    expect(() => new Fiber(() => {}, { name: 42 as unknown as string })).toThrow(TypeError);
  });

  it('reports Fiber.current inside and outside', () => {
    expect(Fiber.current).toBeUndefined();
    const fiber = new Fiber(() => Fiber.current);
    expect(fiber.run()).toBe(fiber);
    expect(Fiber.current).toBeUndefined();
  });

  it('ends deep recursion in a RangeError, and the fiber stays usable', () => {
    const fiber = new Fiber(() => {
      const recurse = (n: number): number => recurse(n + 1) + 1;
      let kind = '';
      try {
        recurse(0);
      } catch (error) {
        kind = (error as Error).constructor.name;
      }
      Fiber.yield(kind);
      return 'still alive';
    });
    expect(fiber.run()).toBe('RangeError');
    expect(fiber.run()).toBe('still alive');
  });

  it('reset() unwinds a suspended fiber: finally blocks run, yield inside them throws again', () => {
    const log: string[] = [];
    const fiber = new Fiber(() => {
      try {
        Fiber.yield();
        log.push('not reached');
      } finally {
        log.push('finally');
        try {
          Fiber.yield();
        } catch (error) {
          log.push(`yield in finally threw: ${(error as Error).message}`);
        }
      }
    });
    fiber.run();
    expect(fiber.reset()).toBeUndefined();
    expect(log).toEqual(['finally', 'yield in finally threw: This Fiber is a zombie']);
    expect(fiber.started).toBe(false);
  });

  it('reset() returns what the fiber returns while unwinding, and reset() of an idle fiber is a no-op', () => {
    const fiber = new Fiber(() => {
      try {
        Fiber.yield();
      } catch {
        return 'recovered';
      }
    });
    expect(fiber.reset()).toBeUndefined();
    fiber.run();
    expect(fiber.reset()).toBe('recovered');
  });
});

describe('misuse throws, never crashes', () => {
  it('each misuse error carries a code, as Node’s errors do', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return [(error as Error).constructor.name, (error as { code?: string }).code];
      }
      return 'no error';
    };
    const seen: Record<string, unknown> = {};
    const fiber: Fiber = new Fiber(() => {
      seen.running = codeOf(() => fiber.run());
      seen.yieldArguments = codeOf(() => (Fiber.yield as (...args: unknown[]) => unknown)(1, 2));
      try {
        Fiber.yield();
      } catch (error) {
        seen.zombie = [(error as Error).message, (error as { code?: string }).code];
        throw error;
      }
    });
    fiber.run();
    seen.runArguments = codeOf(() => (fiber.run as (...args: unknown[]) => unknown)(1, 2));
    seen.throwIntoArguments = codeOf(() =>
      (fiber.throwInto as (...args: unknown[]) => unknown)(1, 2),
    );
    seen.noFiber = codeOf(() => Fiber.yield());
    seen.notYielding = codeOf(() => new Fiber(() => {}).throwInto(new Error('x')));
    fiber.reset();
    expect(seen).toEqual({
      running: ['Error', 'ERR_FIBER_RUNNING'],
      yieldArguments: ['TypeError', 'ERR_FIBER_ARGUMENTS'],
      runArguments: ['TypeError', 'ERR_FIBER_ARGUMENTS'],
      throwIntoArguments: ['TypeError', 'ERR_FIBER_ARGUMENTS'],
      noFiber: ['Error', 'ERR_FIBER_NO_FIBER'],
      notYielding: ['Error', 'ERR_FIBER_NOT_YIELDING'],
      zombie: ['This Fiber is a zombie', 'ERR_FIBER_ZOMBIE'],
    });
  });

  it('an error of the fiber’s own with a misuse message is still stitched (matched by code)', () => {
    const fiber = new Fiber(() => {
      throw new Error('This Fiber is already running');
    });
    let stack = '';
    try {
      fiber.run();
    } catch (error) {
      stack = (error as Error).stack ?? '';
    }
    expect(stack).toMatch(/--- fiber #\d+ was run from here ---/);
  });

  it('run() on a running fiber', () => {
    const fiber = new Fiber(() => {
      try {
        fiber.run();
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(fiber.run()).toBe('This Fiber is already running');
  });

  it('run() on a fiber that is running a nested fiber', () => {
    const outer: Fiber = new Fiber(() =>
      new Fiber(() => {
        try {
          outer.run();
        } catch (error) {
          return (error as Error).message;
        }
      }).run(),
    );
    expect(outer.run()).toBe('This Fiber is already running');
  });

  it('yield outside of any fiber', () => {
    expect(() => Fiber.yield()).toThrow(
      Object.assign(new Error('yield() called with no fiber running'), {
        code: 'ERR_FIBER_NO_FIBER',
      }),
    );
  });

  it('throwInto() and reset() on a fiber that is not yielding', () => {
    const idle = new Fiber(() => {});
    expect(() => idle.throwInto(new Error('x'))).toThrow(
      Object.assign(new Error('This Fiber is not yielding'), { code: 'ERR_FIBER_NOT_YIELDING' }),
    );
    const self = new Fiber(() => {
      const messages: string[] = [];
      for (const call of [() => self.throwInto(1), () => self.reset()]) {
        try {
          call();
        } catch (error) {
          messages.push((error as Error).message);
        }
      }
      return messages;
    });
    expect(self.run()).toEqual(['This Fiber is not yielding', 'This Fiber is not yielding']);
  });

  it('throwInto() on a finished fiber', () => {
    const fiber = new Fiber(() => 1);
    fiber.run();
    expect(() => fiber.throwInto(new Error('late'))).toThrow('This Fiber is not yielding');
  });

  it('wrong argument counts and types', () => {
    expect(() => new Fiber(undefined as unknown as () => void)).toThrow(
      new TypeError('Fiber expects a function'),
    );
    expect(() => new Fiber({} as unknown as () => void)).toThrow(TypeError);
    const fiber = new Fiber(() => Fiber.yield());
    expect(() => (fiber.run as (...args: unknown[]) => unknown)(1, 2)).toThrow(TypeError);
    expect(() => (fiber.run as (...args: unknown[]) => unknown).call(fiber, 1, 2)).toThrow(
      Object.assign(new TypeError('run() excepts 1 or no arguments'), {
        code: 'ERR_FIBER_ARGUMENTS',
      }),
    );
    fiber.run();
    expect(() => (fiber.throwInto as (...args: unknown[]) => unknown).call(fiber, 1, 2)).toThrow(
      Object.assign(new TypeError('throwInto() expects 1 or no arguments'), {
        code: 'ERR_FIBER_ARGUMENTS',
      }),
    );
    expect(() => (fiber.reset as (...args: unknown[]) => unknown).call(fiber, 1)).toThrow(
      Object.assign(new TypeError('reset() expects no arguments'), { code: 'ERR_FIBER_ARGUMENTS' }),
    );
    const yielder = new Fiber(() => {
      try {
        (Fiber.yield as (...args: unknown[]) => unknown)(1, 2);
      } catch (error) {
        return error;
      }
    });
    expect(yielder.run()).toEqual(
      Object.assign(new TypeError('yield() expects 1 or no arguments'), {
        code: 'ERR_FIBER_ARGUMENTS',
      }),
    );
    fiber.reset();
  });

  it('methods called on objects that are not fibers', () => {
    const proto = Fiber.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const receiver of [{}, null, undefined, 1, Object.create(Fiber.prototype), () => {}]) {
      expect(() => proto.run.call(receiver)).toThrow(TypeError);
      expect(() => proto.throwInto.call(receiver, 1)).toThrow(TypeError);
      expect(() => proto.reset.call(receiver)).toThrow(TypeError);
      const started = Object.getOwnPropertyDescriptor(
        Object.getPrototypeOf(Fiber.prototype),
        'started',
      );
      expect(() => started?.get?.call(receiver)).toThrow(TypeError);
    }
  });

  it('calling the class without new', () => {
    expect(() => (Fiber as unknown as (fn: () => void) => unknown)(() => {})).toThrow(TypeError);
  });

  it('Fiber.poolSize accepts only non-negative integers', () => {
    const before = Fiber.poolSize;
    expect(() => {
      Fiber.poolSize = -1;
    }).toThrow(RangeError);
    expect(() => {
      Fiber.poolSize = 'ten' as unknown as number;
    }).toThrow(TypeError);
    expect(() => {
      Fiber.poolSize = 1.5;
    }).toThrow(RangeError);
    expect(Fiber.poolSize).toBe(before);
  });
});

describe('thread pool', () => {
  it('reuses threads of finished fibers up to Fiber.poolSize', () => {
    for (let i = 0; i < 5; i++) new Fiber(() => {}).run();
    const before = Fiber.fibersCreated;
    for (let i = 0; i < 100; i++) new Fiber(() => {}).run();
    expect(Fiber.fibersCreated).toBe(before);
  });

  it('creates threads beyond the pool when many fibers are alive at once', () => {
    const before = Fiber.fibersCreated;
    const fibers = Array.from({ length: 50 }, () => new Fiber(() => Fiber.yield()));
    for (const fiber of fibers) fiber.run();
    expect(Fiber.fibersCreated).toBeGreaterThanOrEqual(before);
    for (const fiber of fibers) fiber.run();
    for (const fiber of fibers) expect(fiber.started).toBe(false);
  });

  it('with poolSize 0 every fiber gets a new thread', () => {
    const saved = Fiber.poolSize;
    Fiber.poolSize = 0;
    try {
      const before = Fiber.fibersCreated;
      for (let i = 0; i < 10; i++) new Fiber(() => {}).run();
      expect(Fiber.fibersCreated).toBe(before + 10);
    } finally {
      Fiber.poolSize = saved;
    }
  });
});
