import { Fiber, spawn, wait } from 'fiberscope';
import {
  errSerializer,
  MAX_FRAMES_PER_SEGMENT,
  MAX_SEGMENTS,
  mixin,
  type SerializedError,
  serializers,
} from 'fiberscope/pino';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

/** A pino logger with fiberscope's serializers and mixin, and the lines it wrote, parsed. */
function capture() {
  const lines: string[] = [];
  const logger = pino(
    { serializers, mixin, level: 'trace' },
    { write: (line: string) => lines.push(line) },
  );
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, parsed };
}

/** An error whose stack holds fiberscope's separator lines, as the core writes them. */
function stitchedError(message = 'db down'): Error {
  const error = new Error(message);
  error.stack = [
    `Error: ${message}`,
    '    at query (/app/db.js:12:11)',
    '    at loadOrders (/app/orders.js:30:5)',
    '    --- fiber #12 "GET /orders" waited here ---',
    '    at handler (/app/orders.js:41:17)',
    '    at /app/node_modules/router/index.js:7:3',
    '    --- fiber #12 "GET /orders" was spawned here ---',
    '    at Server.onRequest (/app/server.js:9:5)',
    '    at emit (node:events:519:28)',
  ].join('\n');
  return error;
}

const EVERY_TRAP = [
  'apply',
  'construct',
  'defineProperty',
  'deleteProperty',
  'get',
  'getOwnPropertyDescriptor',
  'getPrototypeOf',
  'has',
  'isExtensible',
  'ownKeys',
  'preventExtensions',
  'set',
  'setPrototypeOf',
] as const;

function hostileProxy(): object {
  const handler: ProxyHandler<object> = {};
  for (const trap of EVERY_TRAP) {
    (handler as Record<string, () => never>)[trap] = () => {
      throw new Error(`trap ${trap}`);
    };
  }
  return new Proxy({}, handler);
}

describe('serializers.err', () => {
  it('logs the stitched stack text and the structured segments', () => {
    const { logger, parsed } = capture();
    logger.error(stitchedError());
    const [line] = parsed();
    const err = line.err as SerializedError;
    expect(line.msg).toBe('db down');
    expect(err.type).toBe('Error');
    expect(err.message).toBe('db down');
    // The stack goes out as it was, separator lines included.
    expect(err.stack).toBe(stitchedError().stack);
    expect(err.segments).toEqual([
      {
        kind: 'error',
        frames: [
          {
            functionName: 'query',
            file: '/app/db.js',
            line: 12,
            column: 11,
            native: false,
            inApp: true,
          },
          {
            functionName: 'loadOrders',
            file: '/app/orders.js',
            line: 30,
            column: 5,
            native: false,
            inApp: true,
          },
        ],
      },
      {
        kind: 'wait',
        fiber: { id: 12, name: 'GET /orders' },
        frames: [
          {
            functionName: 'handler',
            file: '/app/orders.js',
            line: 41,
            column: 17,
            native: false,
            inApp: true,
          },
          {
            functionName: '',
            file: '/app/node_modules/router/index.js',
            line: 7,
            column: 3,
            native: false,
            inApp: false,
          },
        ],
      },
      {
        kind: 'spawn',
        fiber: { id: 12, name: 'GET /orders' },
        frames: [
          {
            functionName: 'Server.onRequest',
            file: '/app/server.js',
            line: 9,
            column: 5,
            native: false,
            inApp: true,
          },
          {
            functionName: 'emit',
            file: 'node:events',
            line: 519,
            column: 28,
            native: true,
            inApp: false,
          },
        ],
      },
    ]);
  });

  it('stitches an error that came out of a wait in a real fiber', async () => {
    const { logger, parsed } = capture();
    await spawn(
      () => {
        try {
          wait(Promise.reject(new Error('db down')));
        } catch (error) {
          logger.error(error);
        }
      },
      { name: 'GET /orders' },
    );
    const err = parsed()[0].err as SerializedError;
    expect(err.stack).toMatch(/^ {4}--- fiber #\d+ "GET \/orders" waited here ---$/m);
    const kinds = err.segments.map((segment) => segment.kind);
    expect(kinds[0]).toBe('error');
    expect(kinds).toContain('wait');
    const waitSegment = err.segments.find((segment) => segment.kind === 'wait');
    expect(waitSegment?.fiber?.name).toBe('GET /orders');
  });

  it('has the shape of pino-std-serializers: type, enumerable properties, no raw', () => {
    class HttpError extends Error {
      status = 503;
    }
    const error = new HttpError('unavailable');
    Object.assign(error, { code: 'E_UPSTREAM', details: { host: 'db' } });
    const { logger, parsed } = capture();
    logger.warn({ err: error }, 'upstream failed');
    const [line] = parsed();
    const err = line.err as SerializedError;
    expect(err.type).toBe('HttpError');
    expect(err.message).toBe('unavailable');
    expect(err.status).toBe(503);
    expect(err.code).toBe('E_UPSTREAM');
    expect(err.details).toEqual({ host: 'db' });
    expect(err).not.toHaveProperty('raw');
    expect(line.msg).toBe('upstream failed');
    // In process, `raw` is there (not enumerable) as pino-std-serializers gives it.
    expect((errSerializer(error) as SerializedError).raw).toBe(error);
  });

  it('folds causes into message and stack as pino does, each stitched', () => {
    const inner = stitchedError('connection reset');
    const outer = new Error('could not load orders', { cause: inner });
    const { logger, parsed } = capture();
    logger.error(outer);
    const err = parsed()[0].err as SerializedError;
    expect(err.message).toBe('could not load orders: connection reset');
    expect(err.stack).toMatch(/^Error: could not load orders\n {4}at /);
    expect(err.stack).toContain(
      '\ncaused by: Error: connection reset\n    at query (/app/db.js:12:11)',
    );
    expect(err.stack).toContain('    --- fiber #12 "GET /orders" waited here ---');
    expect(err).not.toHaveProperty('cause');
    // The segments are the error's own; the cause's are in the text after `caused by:`.
    expect(err.segments.map((segment) => segment.kind)).toEqual(['error']);
  });

  it('serializes the errors of an AggregateError', () => {
    const aggregate = new AggregateError([stitchedError('a'), new TypeError('b'), 'c'], 'all');
    const err = errSerializer(aggregate) as SerializedError;
    expect(err.type).toBe('AggregateError');
    expect(err.aggregateErrors?.map((inner) => [inner.type, inner.message])).toEqual([
      ['Error', 'a'],
      ['TypeError', 'b'],
      ['string', 'c'],
    ]);
    expect(err.aggregateErrors?.[0].segments.map((segment) => segment.kind)).toEqual([
      'error',
      'wait',
      'spawn',
    ]);
  });
});

describe('serializers.err never throws', () => {
  it('returns thrown primitives, null and undefined as they are (as pino does)', () => {
    for (const value of ['a thrown string', 42, null, undefined, true, 10n]) {
      expect(errSerializer(value)).toBe(value);
    }
    const { logger, parsed } = capture();
    logger.error({ err: 'a thrown string' }, 'string');
    logger.error({ err: null }, 'null');
    logger.error({ err: undefined }, 'undefined');
    logger.error({ err: 7 }, 'number');
    expect(parsed().map((line) => [line.msg, line.err])).toEqual([
      ['string', 'a thrown string'],
      ['null', null],
      ['undefined', undefined],
      ['number', 7],
    ]);
  });

  it('leaves objects that are not error-like alone', () => {
    expect(errSerializer({ code: 1 })).toEqual({ code: 1 });
  });

  it('survives getters that throw (message, stack, name, cause, constructor, own properties)', () => {
    const error = new Error('x');
    // `stack` first: redefining it makes V8 format it, which reads the message.
    for (const key of ['stack', 'message', 'name', 'cause', 'constructor', 'errors']) {
      Object.defineProperty(error, key, {
        get() {
          throw new Error(`${key} getter`);
        },
        enumerable: false,
      });
    }
    Object.defineProperty(error, 'extra', {
      get() {
        throw new Error('extra getter');
      },
      enumerable: true,
    });
    const err = errSerializer(error) as SerializedError;
    expect(err.type).toBe('Error');
    expect(err.message).toBe('');
    expect(typeof err.stack).toBe('string');
    expect(err.extra).toBe('[unreadable: extra getter]');

    const { logger, parsed } = capture();
    logger.error({ err: error }, 'getters');
    expect((parsed()[0].err as SerializedError).extra).toBe('[unreadable: extra getter]');
  });

  it('survives an object whose message getter throws (not an Error)', () => {
    const object = {
      get message(): string {
        throw new Error('no');
      },
      get stack(): string {
        throw new Error('no');
      },
    };
    const err = errSerializer(object) as SerializedError;
    expect(err.type).toBe('Object');
    expect(err.message).toBe('');
  });

  it('survives a Proxy that throws on every trap', () => {
    const proxy = hostileProxy();
    const err = errSerializer(proxy) as SerializedError;
    expect(typeof err.type).toBe('string');
    expect(typeof err.stack).toBe('string');
    const { logger, parsed } = capture();
    logger.error({ err: proxy }, 'proxy');
    const line = parsed()[0];
    expect(line.msg).toBe('proxy');
    expect(typeof (line.err as SerializedError).type).toBe('string');
  });

  it('survives an AggregateError whose errors are hostile', () => {
    const aggregate = new AggregateError([], 'all');
    Object.defineProperty(aggregate, 'errors', { value: new Proxy([], { get: hostile }) });
    expect(() => errSerializer(aggregate)).not.toThrow();
    function hostile(): never {
      throw new Error('no');
    }
  });

  it('cuts circular causes, as pino does', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const { logger, parsed } = capture();
    logger.error(a);
    const err = parsed()[0].err as SerializedError;
    expect(err.message).toBe('a: b: ...');
    expect(err.stack).toMatch(/\ncaused by: Error: b\n[\s\S]*\ncauses have become circular\.\.\.$/);

    const self = new Error('self');
    (self as { cause?: unknown }).cause = self;
    expect((errSerializer(self) as SerializedError).message).toBe('self: ...');
  });

  it('cuts an AggregateError that holds itself', () => {
    const aggregate = new AggregateError([], 'loop');
    Object.defineProperty(aggregate, 'errors', { value: [aggregate, aggregate] });
    const err = errSerializer(aggregate) as SerializedError;
    expect(err.aggregateErrors).toEqual([]);
    const { logger, parsed } = capture();
    logger.error(aggregate);
    expect((parsed()[0].err as SerializedError).type).toBe('AggregateError');
  });

  it('bounds a stack of 5000 frames, counting the frames cut', () => {
    const error = new Error('deep');
    const frames = Array.from({ length: 5000 }, (_, i) => `    at f${i} (/app/deep.js:${i + 1}:1)`);
    error.stack = ['Error: deep', ...frames].join('\n');
    const { logger, lines, parsed } = capture();
    logger.error(error);
    const err = parsed()[0].err as SerializedError;
    expect(err.segments).toHaveLength(1);
    expect(err.segments[0].frames).toHaveLength(MAX_FRAMES_PER_SEGMENT);
    expect(err.segments[0].frames[0].functionName).toBe('f0');
    expect(err.segments[0].framesOmitted).toBe(5000 - MAX_FRAMES_PER_SEGMENT);
    const stackLines = err.stack.split('\n');
    expect(stackLines).toHaveLength(1 + MAX_FRAMES_PER_SEGMENT + 1);
    expect(stackLines.at(-1)).toBe(`    ... ${5000 - MAX_FRAMES_PER_SEGMENT} more frames`);
    expect(lines[0].length).toBeLessThan(100_000);
  });

  it('bounds the number of segments, counting the segments cut', () => {
    const error = new Error('many');
    const lines = ['Error: many', '    at top (/app/a.js:1:1)'];
    for (let i = 0; i < 5000; i++) {
      lines.push(
        `    --- fiber #${i} "f${i}" was spawned here ---`,
        `    at s${i} (/app/b.js:${i + 1}:1)`,
      );
    }
    error.stack = lines.join('\n');
    const err = errSerializer(error) as SerializedError;
    expect(err.segments).toHaveLength(MAX_SEGMENTS);
    expect(err.segmentsOmitted).toBe(5001 - MAX_SEGMENTS);
    expect(err.stack.split('\n').at(-1)).toBe(`    ... ${5001 - MAX_SEGMENTS} more segments`);
  });
});

describe('mixin', () => {
  it('adds { fiber: { id, name } } to lines logged inside a fiber', async () => {
    const { logger, parsed } = capture();
    let id: number | undefined;
    await spawn(
      () => {
        id = Fiber.current?.id;
        logger.info('inside');
        wait(Promise.resolve());
        logger.info('after a wait');
      },
      { name: 'GET /orders' },
    );
    logger.info('outside');
    const [inside, after, outside] = parsed();
    expect(typeof id).toBe('number');
    expect(inside.fiber).toEqual({ id, name: 'GET /orders' });
    expect(after.fiber).toEqual({ id, name: 'GET /orders' });
    expect(outside).not.toHaveProperty('fiber');
    expect(outside.msg).toBe('outside');
  });

  it('gives each fiber its own id, and an unnamed fiber an empty name', async () => {
    const { logger, parsed } = capture();
    await Promise.all([spawn(() => logger.info('a')), spawn(() => logger.info('b'))]);
    const [a, b] = parsed() as Array<{ fiber: { id: number; name: string } }>;
    expect(a.fiber.name).toBe('');
    expect(a.fiber.id).not.toBe(b.fiber.id);
  });

  it('returns a fresh {} outside of fibers', () => {
    const first = mixin();
    expect(first).toEqual({});
    expect(mixin()).not.toBe(first);
  });
});
