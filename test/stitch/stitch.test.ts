import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Fiber, Future, futurize, spawn, wait } from 'fiberscope';
import { configureStitching, formatStitched, stitch } from 'fiberscope/stitch';
import { afterEach, describe, expect, it } from 'vitest';
import { runFixture } from '../helpers/child';

const ErrorStackParser = (
  createRequire(import.meta.url)('error-stack-parser') as {
    default: {
      parse(error: Error): Array<{
        functionName?: string;
        fileName?: string;
        lineNumber?: number;
        columnNumber?: number;
      }>;
    };
  }
).default;

const SEPARATOR =
  /^ {4}--- fiber #(\d+)(?: "(.*)")? (waited here|was spawned here|was run from here) ---$/;

/** The separator lines of a stack, as [kind phrase, name] pairs. */
function separators(stack: string): string[] {
  return stack
    .split('\n')
    .map((line) => SEPARATOR.exec(line))
    .filter((match) => match !== null)
    .map((match) => `${match[2] ?? ''} ${match[3]}`);
}

/** The lines of the segment that follows the separator at `index` (0-based among separators). */
function segmentLines(stack: string, index: number): string[] {
  const lines = stack.split('\n');
  const starts = lines.flatMap((line, i) => (SEPARATOR.test(line) ? [i] : []));
  const end = index + 1 < starts.length ? starts[index + 1] : lines.length;
  return lines.slice(starts[index] + 1, end);
}

const rejectInTimer = (message: string) =>
  new Promise((_, reject) => setTimeout(() => reject(new Error(message)), 1));

/** The line of this file that calls here(), as its stack frames show it. */
function here(): number {
  const caller = (new Error().stack ?? '').split('\n')[2] ?? '';
  return Number(/stitch\.test\.ts:(\d+):\d+\)?$/.exec(caller)?.[1]);
}

/** `    at name (…stitch.test.ts:line:col)` (or `    at …stitch.test.ts:line:col` unnamed). */
function frameAt(name: string, line: number): RegExp {
  const location = `[^()]*stitch\\.test\\.ts:${line}:\\d+`;
  return new RegExp(name === '' ? `^ {4}at ${location}$` : `^ {4}at ${name} \\(${location}\\)$`);
}

afterEach(() => {
  configureStitching({
    stacks: true,
    spawnSites: true,
    spawnDepth: 8,
    framesPerSegment: 10,
    spawnFrames: 1,
  });
});

describe('errors rethrown where a fiber waited', () => {
  it("keep V8's stack, then the fiber's frames at the wait, then where it was spawned", async () => {
    function queryDatabase() {
      return wait(rejectInTimer('connection reset'));
    }
    const handlerLine = here() + 1;
    function handleRequest() {
      return queryDatabase();
    }
    function startRequest() {
      return spawn(handleRequest, { name: 'GET /orders' });
    }
    const error = (await startRequest().catch((e) => e)) as Error;
    const stack = error.stack as string;
    const [head, ...rest] = stack.split('\n');
    expect(head).toBe('Error: connection reset');
    // V8's original part: the timer callback that rejected.
    expect(rest[0]).toMatch(/^ {4}at Timeout\._onTimeout \(.*stitch\.test\.ts:\d+:\d+\)$/);
    expect(separators(stack)).toEqual(['GET /orders waited here', 'GET /orders was spawned here']);
    const waited = segmentLines(stack, 0);
    expect(waited[0]).toMatch(/^ {4}at queryDatabase \(.*stitch\.test\.ts:\d+:\d+\)$/);
    expect(waited[1]).toMatch(/^ {4}at handleRequest /);
    // Where the spawned function is defined (spawnSites 'function', the default).
    expect(segmentLines(stack, 1)).toHaveLength(1);
    expect(segmentLines(stack, 1)[0]).toMatch(frameAt('handleRequest', handlerLine));
    // fiberscope's own frames (wait, spawn) are left out.
    expect(stack).not.toMatch(/dist[/\\]fiber[/\\]wait\.js/);
  });

  // Three nested fibers, each spawned by its own function: [innerLine, middleLine, outerLine]
  // are the lines of the spawned functions.
  function nestedSpawns(ids: number[], lines: number[]) {
    function spawnInner() {
      lines[0] = here() + 2;
      return spawn(
        function inner() {
          ids.push(Fiber.current?.id ?? -1);
          return wait(rejectInTimer('inner failed'));
        },
        { name: 'inner' },
      );
    }
    function spawnMiddle() {
      lines[1] = here() + 2;
      return spawn(
        function middle() {
          ids.push(Fiber.current?.id ?? -1);
          return wait(spawnInner());
        },
        { name: 'middle' },
      );
    }
    function spawnOuter() {
      lines[2] = here() + 2;
      return spawn(
        function outer() {
          ids.push(Fiber.current?.id ?? -1);
          try {
            return wait(spawnMiddle());
          } catch (error) {
            return error;
          }
        },
        { name: 'outer' },
      );
    }
    return spawnOuter();
  }

  it('show the spawn chain of three nested fibers, innermost first', async () => {
    const ids: number[] = [];
    const lines: number[] = [];
    const error = (await nestedSpawns(ids, lines)) as Error;
    const stack = error.stack as string;
    const [outerId, middleId, innerId] = ids;
    expect(separators(stack).slice(0, 4)).toEqual([
      'inner waited here',
      'inner was spawned here',
      'middle was spawned here',
      'outer was spawned here',
    ]);
    const structure = stitch(error);
    const spawnSegments = structure?.segments.filter((segment) => segment.kind === 'spawn') ?? [];
    expect(spawnSegments.slice(0, 3).map((segment) => segment.fiber)).toEqual([
      { id: innerId, name: 'inner' },
      { id: middleId, name: 'middle' },
      { id: outerId, name: 'outer' },
    ]);
    // Each level names the function its fiber runs, where it is defined.
    expect(spawnSegments.slice(0, 3).map((segment) => segment.frames)).toEqual(
      ['inner', 'middle', 'outer'].map((name, i) => [
        expect.objectContaining({
          functionName: name,
          file: expect.stringMatching(/stitch\.test\.ts$/),
          line: lines[i],
          inApp: true,
        }),
      ]),
    );
  });

  it("with spawnSites 'caller', show the lines that spawned each fiber instead", async () => {
    expect(configureStitching({ spawnSites: 'caller' }).spawnSites).toBe('caller');
    const lines: number[] = [];
    const error = (await nestedSpawns([], lines)) as Error;
    const structure = stitch(error);
    const spawnSegments = structure?.segments.filter((segment) => segment.kind === 'spawn') ?? [];
    expect(spawnSegments.slice(0, 3).map((segment) => segment.frames)).toEqual(
      ['spawnInner', 'spawnMiddle', 'spawnOuter'].map((name, i) => [
        expect.objectContaining({
          functionName: name,
          file: expect.stringMatching(/stitch\.test\.ts$/),
          // the spawn() call, on the line before the function it spawns
          line: lines[i] - 1,
        }),
      ]),
    );
  });

  it('Fiber.yield() resumed by throwInto() stitches too', () => {
    function suspendHere() {
      Fiber.yield();
    }
    const fiber = new Fiber(() => {
      try {
        suspendHere();
      } catch (error) {
        return error;
      }
    });
    fiber.run();
    const error = fiber.throwInto(new Error('thrown in')) as Error;
    expect(separators(error.stack as string)[0]).toBe(' waited here');
    expect(segmentLines(error.stack as string, 0)[0]).toMatch(/^ {4}at suspendHere /);
  });

  it('the same error rethrown at two waits of one fiber gets its segment once', async () => {
    const error = new Error('twice');
    const stack = await spawn(
      () => {
        for (let i = 0; i < 2; i++) {
          try {
            wait(Promise.reject(error));
          } catch {}
        }
        return error.stack as string;
      },
      { name: 'retry' },
    );
    expect(separators(stack)).toEqual(['retry waited here', 'retry was spawned here']);
  });

  it('leaves thrown primitives and frozen errors as they are', async () => {
    const caught = await spawn(() => {
      try {
        wait(Promise.reject('a string'));
      } catch (error) {
        return error;
      }
    });
    expect(caught).toBe('a string');
    const frozen = Object.freeze(new Error('frozen'));
    const original = frozen.stack;
    const again = await spawn(() => {
      try {
        wait(Promise.reject(frozen));
      } catch (error) {
        return error;
      }
    });
    expect(again).toBe(frozen);
    expect(frozen.stack).toBe(original);
  });
});

describe('errors escaping a fiber', () => {
  it('to run(): stitched with the frames of the code that ran it', () => {
    function failInside() {
      throw new Error('escaped');
    }
    const fiber = new Fiber(failInside, { name: 'worker' });
    function runIt() {
      try {
        fiber.run();
      } catch (error) {
        return error as Error;
      }
    }
    const stack = runIt()?.stack as string;
    expect(stack.split('\n')[1]).toMatch(/^ {4}at failInside /);
    expect(separators(stack)).toEqual(['worker was run from here', 'worker was spawned here']);
    expect(segmentLines(stack, 0)[0]).toMatch(/^ {4}at runIt /);
  });

  it('to a spawn() promise: stitched with the spawn chain', async () => {
    let arrowLine = 0;
    function spawnFailing() {
      arrowLine = here() + 1;
      return spawn(() => JSON.parse('{'), { name: 'quick' });
    }
    const error = (await spawnFailing().catch((e) => e)) as Error;
    expect(error).toBeInstanceOf(SyntaxError);
    expect(separators(error.stack as string)).toEqual(['quick was spawned here']);
    // An anonymous function: V8's shape for it, the location alone.
    expect(segmentLines(error.stack as string, 0)).toEqual([
      expect.stringMatching(frameAt('', arrowLine)),
    ]);
  });

  it('misuse errors thrown by run() itself are not stitched', () => {
    const fiber = new Fiber(() => {
      try {
        fiber.run();
      } catch (error) {
        return (error as Error).stack;
      }
    });
    expect(separators(fiber.run() as string)).toEqual([]);
  });
});

describe('bounds and options', () => {
  it('keeps at most spawnDepth levels of the chain and framesPerSegment frames', async () => {
    configureStitching({ spawnDepth: 3, framesPerSegment: 2 });
    const nest = (level: number): unknown =>
      level === 0 ? wait(Promise.reject(new Error('deep'))) : wait(spawn(() => nest(level - 1)));
    const error = (await spawn(() => nest(10)).catch((e) => e)) as Error;
    const stack = error.stack as string;
    // Where it failed: the wait, then three levels of the spawn chain, then the next waiter.
    expect(
      separators(stack)
        .slice(0, 5)
        .map((line) => line.trim()),
    ).toEqual([
      'waited here',
      'was spawned here',
      'was spawned here',
      'was spawned here',
      'waited here',
    ]);
    expect(segmentLines(stack, 0).length).toBeLessThanOrEqual(2);
  });

  it('an error that travels through many fibers gets at most 32 segments', async () => {
    const nest = (level: number): unknown =>
      level === 0 ? wait(Promise.reject(new Error('far'))) : wait(spawn(() => nest(level - 1)));
    const error = (await spawn(() => nest(60)).catch((e) => e)) as Error;
    expect(separators(error.stack as string).length).toBe(32);
  });

  it("spawnSites: true means 'function'; the options in force say so", () => {
    expect(configureStitching({ spawnSites: 'caller' }).spawnSites).toBe('caller');
    expect(configureStitching({ spawnSites: true }).spawnSites).toBe('function');
    expect(configureStitching({ spawnSites: false }).spawnSites).toBe(false);
    expect(configureStitching({ spawnSites: 'function' })).toMatchObject({
      stacks: true,
      spawnSites: 'function',
    });
  });

  it('spawnSites: false records no spawn sites', async () => {
    configureStitching({ spawnSites: false });
    const error = (await spawn(() => wait(Promise.reject(new Error('x')))).catch(
      (e) => e,
    )) as Error;
    expect(separators(error.stack as string)).toEqual([' waited here']);
  });

  it('rejects bad options by name', () => {
    expect(() => configureStitching({ spawnDepth: 0 })).toThrow(
      new RangeError('Expected the "spawnDepth" option to be an integer from 1 to 200'),
    );
    for (const spawnSites of ['yes', 'Function', 1, null]) {
      expect(() => configureStitching({ spawnSites: spawnSites as unknown as boolean })).toThrow(
        new TypeError("Expected the \"spawnSites\" option to be 'function', 'caller' or a boolean"),
      );
    }
    expect(() => configureStitching({ stacks: 0 as unknown as boolean })).toThrow(
      new TypeError('Expected the "stacks" option to be a boolean'),
    );
    expect(configureStitching({}).spawnSites).toBe('function');
    expect(() => configureStitching({ spawnDeph: 3 } as object)).toThrow(
      new TypeError('Unknown option "spawnDeph"'),
    );
    expect(configureStitching({})).not.toHaveProperty('spawnDeph');
  });
});

describe('spawn sites: the spawned function', () => {
  // A plain JavaScript program, so that its lines and columns are exactly V8's.
  const fixture = new URL('./fixtures/spawn-site.js', import.meta.url);
  const program = fileURLToPath(fixture);
  const spawnSegment = (env: NodeJS.ProcessEnv = {}) => {
    const child = runFixture(fixture, { env });
    expect(child.stderr).toBe('');
    const stack = JSON.parse(child.stdout) as string;
    const lines = stack.split('\n');
    const at = lines.indexOf('    --- fiber #1 "GET /x" was spawned here ---');
    return at === -1 ? undefined : lines.slice(at + 1);
  };

  it("by default, the segment is the spawned function's line: where it is defined", () => {
    // `function handler(` on line 7: V8 places a function at its parameter list, column 17.
    expect(spawnSegment()).toEqual([`    at handler (${program}:7:17)`]);
  });

  it('FIBERSCOPE_SPAWN_SITES=caller shows the line that spawned it; =0 no segment', () => {
    expect(spawnSegment({ FIBERSCOPE_SPAWN_SITES: 'caller' })).toEqual([
      `    at startRequest (${program}:11:10)`,
    ]);
    expect(spawnSegment({ FIBERSCOPE_SPAWN_SITES: '0' })).toBeUndefined();
  });

  it('error-stack-parser reads the function line as a frame: name, file, line, column', async () => {
    const workerLine = here() + 1;
    function worker() {
      return wait(rejectInTimer('read me'));
    }
    const error = (await spawn(worker, { name: 'parsed' }).catch((e) => e)) as Error;
    const frames = ErrorStackParser.parse(error);
    expect(frames[frames.length - 1]).toMatchObject({
      functionName: 'worker',
      fileName: expect.stringMatching(/stitch\.test\.ts$/),
      lineNumber: workerLine,
      columnNumber: expect.any(Number),
    });
  });

  it('new Fiber(fn) names fn where it is defined, wherever the fiber is created', () => {
    const fiber = makeWorkerFiber();
    fiber.run();
    let escaped: Error | undefined;
    try {
      fiber.run();
    } catch (error) {
      escaped = error as Error;
    }
    const stack = escaped?.stack as string;
    expect(separators(stack)).toEqual(['loop was run from here', 'loop was spawned here']);
    expect(segmentLines(stack, 1)).toEqual([
      expect.stringMatching(frameAt('workLoop', workLoopLine)),
    ]);
  });

  it('a bound function is shown as its target, a builtin by name alone', async () => {
    const boundLine = here() + 1;
    function boundTarget(this: { message: string }) {
      return wait(Promise.reject(new Error(this.message)));
    }
    const bound = boundTarget.bind({ message: 'bound' });
    const boundError = (await spawn(bound, { name: 'b' }).catch((e) => e)) as Error;
    expect(segmentLines(boundError.stack as string, 1)).toEqual([
      expect.stringMatching(frameAt('boundTarget', boundLine)),
    ]);
    // JSON.parse() of undefined throws in the fiber: V8 knows no position for a builtin.
    const builtinError = (await spawn(JSON.parse as () => unknown, { name: 'j' }).catch(
      (e) => e,
    )) as Error;
    expect(separators(builtinError.stack as string)).toEqual(['j was spawned here']);
    expect(segmentLines(builtinError.stack as string, 0)).toEqual(['    at parse (<anonymous>)']);
  });

  it("futurize() and Function#future fibers name the user's function", async () => {
    const loadLine = here() + 1;
    function loadUser() {
      return wait(rejectInTimer('no such user'));
    }
    const error = (await futurize(loadUser)()
      .promise()
      .catch((e) => e)) as Error;
    const stack = error.stack as string;
    const spawned = stack.split('\n').findIndex((line) => / was spawned here ---$/.test(line));
    expect(stack.split('\n')[spawned + 1]).toMatch(frameAt('loadUser', loadLine));
  });

  it("spawnSites 'caller' still captures spawnFrames frames of the spawning code", async () => {
    configureStitching({ spawnSites: 'caller', spawnFrames: 2 });
    function spawnIt() {
      return spawn(() => wait(rejectInTimer('two frames')), { name: 'two' });
    }
    function callSpawnIt() {
      return spawnIt();
    }
    const error = (await callSpawnIt().catch((e) => e)) as Error;
    const lines = segmentLines(error.stack as string, 1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ {4}at spawnIt /);
    expect(lines[1]).toMatch(/^ {4}at callSpawnIt /);
  });
});

// Defined away from where its fiber is created.
const workLoopLine = here() + 1;
function workLoop() {
  Fiber.yield();
  throw new Error('loop failed');
}
function makeWorkerFiber() {
  return new Fiber(workLoop, { name: 'loop' });
}

describe('stitching off: every stack as node-fibers leaves it', () => {
  /** Errors that cross fibers every way there is, each with the stack it had when made. */
  async function crossEveryWay(): Promise<Array<[string, Error, string]>> {
    const made: Array<[string, Error, string]> = [];
    const make = (how: string) => {
      const error = new Error(how);
      made.push([how, error, error.stack as string]);
      return error;
    };
    // throwInto() at a yield, caught in the fiber
    const yielding = new Fiber(() => {
      try {
        Fiber.yield();
      } catch (error) {
        return error;
      }
    });
    yielding.run();
    yielding.throwInto(make('throwInto, caught inside'));
    // throwInto() at a yield, escaping to throwInto()'s caller
    const uncaught = new Fiber(() => Fiber.yield(), { name: 'uncaught' });
    uncaught.run();
    try {
      uncaught.throwInto(make('throwInto, escaping'));
    } catch {}
    // a rejected wait()
    await spawn(
      () => {
        try {
          wait(new Promise((_, reject) => setTimeout(() => reject(make('wait rejection')), 1)));
        } catch {}
      },
      { name: 'waiting' },
    );
    // escaping to run()
    try {
      new Fiber(() => {
        throw make('escaping run()');
      }).run();
    } catch {}
    // escaping a spawn() to its promise, after a wait
    await spawn(
      () => {
        wait(Promise.resolve());
        throw make('escaping spawn()');
      },
      { name: 'spawned' },
    ).catch(() => {});
    // future.wait() / get() in a fiber
    await spawn(() => {
      const future = new Future();
      setTimeout(() => future.throw(make('future.wait()')), 1);
      try {
        future.wait();
      } catch {}
    });
    return made;
  }

  it('configureStitching({ stacks: false }): no segment anywhere, every stack unchanged', async () => {
    expect(configureStitching({ stacks: false }).stacks).toBe(false);
    const errors = await crossEveryWay();
    expect(errors.map(([how]) => how)).toEqual([
      'throwInto, caught inside',
      'throwInto, escaping',
      'wait rejection',
      'escaping run()',
      'escaping spawn()',
      'future.wait()',
    ]);
    for (const [how, error, before] of errors) {
      expect(error.stack, how).toBe(before);
      expect(error.stack, how).not.toContain('--- fiber');
    }
    // Spawn sites are still recorded for what shows live fibers (the REPL's .fibers).
    expect(configureStitching({}).spawnSites).toBe('function');
  });

  it('with stacks on (the default), the same errors are all stitched', async () => {
    const errors = await crossEveryWay();
    for (const [how, error, before] of errors) {
      expect(error.stack, how).not.toBe(before);
      expect(error.stack, how).toContain('--- fiber');
    }
  });

  it('FIBERSCOPE_STITCH=0 turns stitching off at start-up', () => {
    const program = new URL('./fixtures/stitch-every-way.js', import.meta.url);
    const off = runFixture(program, { env: { FIBERSCOPE_STITCH: '0' } });
    expect(off.stderr).toBe('');
    const offResult = JSON.parse(off.stdout);
    expect(offResult.stacks).toBe(false);
    expect(offResult.results).toEqual(
      ['throwInto', 'wait', 'escape', 'future'].map((how) => ({
        how,
        unchanged: true,
        segment: false,
      })),
    );
    // The same program with stitching on: each of those stacks gets segments.
    const on = runFixture(program, { env: { FIBERSCOPE_STITCH: '1' } });
    expect(on.stderr).toBe('');
    expect(JSON.parse(on.stdout).results).toEqual(
      ['throwInto', 'wait', 'escape', 'future'].map((how) => ({
        how,
        unchanged: false,
        segment: true,
      })),
    );
  });
});

describe('segment contents', () => {
  it('a wait segment keeps framesPerSegment frames of the caller, none of fiberscope', async () => {
    configureStitching({ framesPerSegment: 3 });
    const depth = (n: number): unknown =>
      n === 0 ? wait(Promise.reject(new Error('d'))) : depth(n - 1);
    const error = (await spawn(() => depth(6)).catch((e) => e)) as Error;
    const lines = segmentLines(error.stack as string, 0);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^ {4}at depth /);
  });

  it('a fiber that throws after being resumed by its promise gets no empty run segment', async () => {
    const reported = new Promise<Error>((resolve) => process.once('uncaughtException', resolve));
    new Fiber(
      () => {
        wait(new Promise((resolve) => setTimeout(resolve, 1)));
        throw new Error('after the wait');
      },
      { name: 'late' },
    ).run();
    const error = await reported;
    expect(separators(error.stack as string)).toEqual(['late was spawned here']);
  });
});

describe('parsing frames', () => {
  it('reads builtins, async frames and anonymous functions', async () => {
    const { parseFrameLine } = await import('../../dist/stitch/parse.js');
    expect(parseFrameLine('    at Array.map (<anonymous>)')).toEqual({
      functionName: 'Array.map',
      file: '',
      line: 0,
      column: 0,
      native: true,
      inApp: false,
    });
    expect(parseFrameLine('    at async Promise.all (index 0)')).toMatchObject({
      functionName: 'Promise.all',
      file: '',
      native: true,
      async: true,
    });
    expect(parseFrameLine('    at async load (/app/db.js:3:4)')).toEqual({
      functionName: 'load',
      file: '/app/db.js',
      line: 3,
      column: 4,
      native: false,
      inApp: true,
      async: true,
    });
    expect(parseFrameLine('    at /app/node_modules/pg/index.js:1:2')).toMatchObject({
      functionName: '',
      line: 1,
      inApp: false,
    });
    expect(parseFrameLine('not a frame')).toBeUndefined();
  });
});

describe('stitch() and formatStitched()', () => {
  it('returns segments with parsed frames, and formats them back to the same lines', async () => {
    function failing() {
      return wait(rejectInTimer('structured'));
    }
    const error = (await spawn(failing, { name: 'named' }).catch((e) => e)) as Error;
    const structure = stitch(error);
    expect(structure?.name).toBe('Error');
    expect(structure?.message).toBe('structured');
    expect(structure?.segments.map((segment) => segment.kind)).toEqual(['error', 'wait', 'spawn']);
    const frame = structure?.segments[1].frames[0];
    expect(frame).toMatchObject({ functionName: 'failing', native: false, inApp: true });
    expect(frame?.file).toMatch(/stitch\.test\.ts$/);
    expect(frame?.line).toBeGreaterThan(0);
    expect(frame?.column).toBeGreaterThan(0);
    const internal = structure?.segments[0].frames.find((each) => each.file.startsWith('node:'));
    expect(internal).toMatchObject({ native: true, inApp: false });
    const frameLines = (text: string) =>
      text.split('\n').filter((line) => /^ {4}(at |---)/.test(line));
    expect(frameLines(formatStitched(structure!))).toEqual(frameLines(error.stack as string));
    expect(formatStitched(structure!, { color: true })).toContain('\u001b[');
  });

  it('follows causes and AggregateError, and cuts cycles', () => {
    const root = new Error('root');
    const middle = new Error('middle', { cause: root });
    (root as Error & { cause?: unknown }).cause = middle;
    const aggregate = new AggregateError([new TypeError('first'), 'second'], 'many', {
      cause: middle,
    });
    const structure = stitch(aggregate);
    expect(structure?.name).toBe('AggregateError');
    expect(structure?.errors?.map((each) => [each.name, each.message])).toEqual([
      ['TypeError', 'first'],
      ['string', 'second'],
    ]);
    expect(structure?.cause?.message).toBe('middle');
    expect(structure?.cause?.cause?.message).toBe('root');
    expect(structure?.cause?.cause?.cause).toBeUndefined();
  });

  it('never throws, whatever it is given', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no');
        },
        getPrototypeOf() {
          throw new Error('no');
        },
      },
    );
    for (const value of [null, undefined, 42, 'text', Symbol('s'), hostile, { stack: 5 }]) {
      expect(() => stitch(value)).not.toThrow();
    }
    expect(stitch(undefined)).toBeUndefined();
    expect(stitch('text')).toMatchObject({ name: 'string', message: 'text' });
  });

  it('stitched stacks still parse with error-stack-parser, separators ignored', async () => {
    const error = (await spawn(() => wait(rejectInTimer('parsed')), { name: 'p' }).catch(
      (e) => e,
    )) as Error;
    const frames = ErrorStackParser.parse(error);
    const atLines = (error.stack as string).split('\n').filter((line) => /^ {4}at /.test(line));
    expect(frames.length).toBe(atLines.length);
    expect(frames.every((frame) => typeof frame.lineNumber === 'number')).toBe(true);
  });
});

describe('memory', () => {
  it('a million failed waits retain nothing: RSS stays flat', () => {
    const child = runFixture(new URL('./fixtures/failed-waits-memory.js', import.meta.url), {
      nodeArgs: ['--expose-gc'],
      timeoutMs: 240_000,
    });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout);
    expect(result.failures).toBe(1_000_000);
    expect(result.growthMb).toBeLessThan(16);
  }, 250_000);
});
