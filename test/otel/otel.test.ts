// fiberscope/otel: a span for each named fiber, child of the context that spawned it, with its
// waiting and running time and its longest wait site; and fiberscope/pino's mixin with the
// active span's ids. Run with the real SDK in child processes (test/otel/fixtures).
import { describe, expect, it } from 'vitest';
import { asyncContextFrameFlag, runFixture } from '../helpers/child';

interface PrintedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  status: number;
  events: string[];
  attributes: Record<string, unknown>;
}

type Fields = { fiber?: { name: string }; trace_id?: string; span_id?: string };

const variants = [
  { title: 'default', nodeArgs: [] as string[] },
  ...(asyncContextFrameFlag.length > 0
    ? [{ title: 'async context frame', nodeArgs: asyncContextFrameFlag }]
    : []),
];

describe.each(variants)('instrumentFibers() ($title)', ({ nodeArgs }) => {
  it('gives named fibers spans under the spawning context, with their waits', () => {
    const child = runFixture(new URL('./fixtures/fiber-spans.js', import.meta.url), { nodeArgs });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const { spans, mixins } = JSON.parse(child.stdout) as {
      spans: PrintedSpan[];
      mixins: Record<string, Fields>;
    };
    const byName = (name: string) => spans.find((span) => span.name === name) as PrintedSpan;
    // The unnamed fiber and the one spawned after disable() have none.
    expect(spans.map((span) => span.name).sort()).toEqual([
      'nested',
      'request',
      'reset',
      'thrower',
      'worker',
    ]);
    const request = byName('request');
    const worker = byName('worker');
    expect(worker.parentSpanId).toBe(request.spanId);
    expect(byName('thrower').parentSpanId).toBe(request.spanId);
    expect(byName('nested').parentSpanId).toBe(worker.spanId);
    for (const span of spans) expect(span.traceId).toBe(request.traceId);

    const attributes = worker.attributes;
    expect(attributes['fiberscope.fiber.waits']).toBe(2);
    expect(attributes['fiberscope.fiber.longest_wait_ms']).toBeGreaterThanOrEqual(55);
    expect(attributes['fiberscope.fiber.waiting_ms']).toBeGreaterThanOrEqual(
      Number(attributes['fiberscope.fiber.longest_wait_ms']),
    );
    expect(attributes['fiberscope.fiber.running_ms']).toBeGreaterThanOrEqual(0);
    expect(attributes['fiberscope.fiber.running_ms']).toBeLessThan(55);
    expect(attributes['fiberscope.fiber.longest_wait_site']).toMatch(
      /^waitLong \(.*test\/otel\/fixtures\/fiber-spans\.js:21:3\)$/,
    );
    expect(byName('thrower')).toMatchObject({ status: 2, events: ['exception'] });
    expect(byName('thrower').attributes['fiberscope.fiber.waits']).toBe(0);
    expect(worker.status).toBe(0);
    // reset() unwinds a fiber: its span ends, marked, with no error.
    expect(byName('reset')).toMatchObject({ status: 0, events: [] });
    expect(byName('reset').parentSpanId).toBe(request.spanId);
    expect(byName('reset').attributes).toMatchObject({
      'fiberscope.fiber.reset': true,
      'fiberscope.fiber.waits': 1,
    });

    // pino's mixin: the active span's ids, the fiber's own inside a fiber, after its waits too.
    expect(mixins.outside).toEqual({});
    expect(mixins.request).toMatchObject({ trace_id: request.traceId, span_id: request.spanId });
    for (const key of ['worker', 'afterWaits']) {
      expect(mixins[key]).toEqual({
        fiber: { id: expect.any(Number), name: 'worker' },
        trace_id: request.traceId,
        span_id: worker.spanId,
        trace_flags: '01',
      });
    }
  });
});

describe('without @opentelemetry/api', () => {
  it('instrumentFibers() says what is missing; the pino mixin leaves the ids out', () => {
    const child = runFixture(new URL('./fixtures/without-api.js', import.meta.url));
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout).toBe(
      'fiberscope/otel needs @opentelemetry/api: install it (npm install @opentelemetry/api) along with an OpenTelemetry SDK\n' +
        '{"fiber":{"id":1,"name":"worker"}}\n',
    );
  });
});
