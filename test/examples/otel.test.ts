// OpenTelemetry's real SDK on the kitchen (test/examples/fixtures/otel-kitchen.js): the context of
// @opentelemetry/api follows each request's fiber through its wait()s, so the queries and the
// outgoing call a fiber makes land in its request's trace, and so do its log lines.
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { asyncContextFrameFlag, repoRoot, runFixture } from '../helpers/child';
import { postgresMissing, requireOrSkip } from '../helpers/requirements';

const load = createRequire(path.join(repoRoot, 'examples', 'kitchen', 'main.js'));
const fixture = new URL('./fixtures/otel-kitchen.js', import.meta.url);
const REQUESTS = 100;
const SERVER = 1;
const CLIENT = 2;

interface PrintedSpan {
  name: string;
  kind: number;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  request?: number;
  attributes: Record<string, unknown>;
}

interface Printed {
  statuses: number[];
  spans: PrintedSpan[];
  logged: { msg: string; trace_id?: string; span_id?: string; fiber?: { name: string } }[];
}

function runKitchen(env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Printed {
  const child = runFixture(fixture, { env, nodeArgs, timeoutMs: 90_000 });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout) as Printed;
}

/** Checks every request's trace; `database`: whether pg's spans are there too. */
function checkTraces(printed: Printed, { database, fiberSpans }: Record<string, boolean>) {
  const souffle = (request: number) => request % 10 === 3;
  expect(printed.statuses.filter((status) => status === 201)).toHaveLength(90);
  expect(printed.statuses.filter((status) => status === 502)).toHaveLength(10);
  const byId = new Map(printed.spans.map((span) => [span.spanId, span]));
  const servers = printed.spans.filter((span) => span.request !== undefined);
  expect(servers.map((span) => span.request).sort((a, b) => Number(a) - Number(b))).toEqual(
    Array.from({ length: REQUESTS }, (_, index) => index),
  );
  expect(new Set(servers.map((span) => span.traceId)).size).toBe(REQUESTS);
  const fibersOf = printed.spans.filter((span) => span.scope === 'fiberscope');
  expect(fibersOf).toHaveLength(fiberSpans ? REQUESTS : 0);

  for (const server of servers) {
    expect(server.kind).toBe(SERVER);
    expect(server.parentSpanId).toBeUndefined();
    const trace = printed.spans.filter((span) => span.traceId === server.traceId);
    // The span the fiber's code runs under: the fiber's own span, a child of the server span.
    const fiber = trace.find((span) => span.scope === 'fiberscope');
    if (fiberSpans) {
      expect(fiber?.parentSpanId).toBe(server.spanId);
      expect(fiber?.name).toBe('POST /orders');
    }
    const active = fiber ?? server;
    // Every span of the trace descends from this request's server span.
    for (const span of trace) {
      let top = span;
      for (
        let up = byId.get(top.parentSpanId ?? '');
        up !== undefined;
        up = byId.get(top.parentSpanId ?? '')
      )
        top = up;
      expect(top).toBe(server);
    }
    const client = trace.filter(
      (span) => span.scope === '@opentelemetry/instrumentation-undici' && span.kind === CLIENT,
    );
    expect(client).toHaveLength(1);
    expect(client[0].parentSpanId).toBe(active.spanId);
    expect(client[0].attributes['url.full']).toMatch(/\/tickets$/);
    if (!database) continue;
    const queries = trace.filter((span) => span.name.startsWith('pg.query:'));
    expect(queries.map((span) => span.name.split(' ')[0]).sort()).toEqual([
      'pg.query:INSERT',
      'pg.query:UPDATE',
    ]);
    for (const query of queries) expect(query.parentSpanId).toBe(active.spanId);
    // The order this request placed, not another request's.
    const insert = queries.find((span) => span.name.startsWith('pg.query:INSERT'));
    expect(insert?.attributes['db.postgresql.values']).toContain(`c${server.request}`);
  }
  // The other spans are the schema's, made before the load, in a trace of their own.
  const traced = new Set(servers.map((span) => span.traceId));
  for (const span of printed.spans.filter((span) => !traced.has(span.traceId))) {
    expect(span.name).toMatch(/^pg(-pool)?\.connect$|^pg\.query:CREATE/);
  }

  // The soufflés fail and are logged inside their fibers, with their request's ids.
  const failures = printed.logged.filter((line) => line.msg === 'request failed');
  expect(failures).toHaveLength(10);
  for (const line of failures) {
    expect(line.fiber?.name).toBe('POST /orders');
    const server = servers.find((span) => span.traceId === line.trace_id);
    expect(server && souffle(Number(server.request))).toBe(true);
    const fiber = fibersOf.find((span) => span.traceId === line.trace_id);
    expect(line.span_id).toBe((fiber ?? server)?.spanId);
  }
}

describe('OpenTelemetry on the kitchen (100 concurrent fiber-style requests)', () => {
  it('embedded PGlite: the server spans parent the outgoing calls, log lines carry the ids', () => {
    checkTraces(runKitchen({ DATABASE_URL: '', OTEL_FIBERS: '' }), {
      database: false,
      fiberSpans: false,
    });
  });

  // Node 22 keeps the context in V8's async context frame behind a flag (Node 24 always does).
  const variants = [
    { title: 'default', nodeArgs: [] as string[] },
    ...(asyncContextFrameFlag.length > 0
      ? [{ title: 'async context frame', nodeArgs: asyncContextFrameFlag }]
      : []),
  ];
  it.each(variants)(
    'embedded PGlite, fiberscope/otel ($title): each request fiber has a span with its waits',
    ({ nodeArgs }) => {
      const printed = runKitchen({ DATABASE_URL: '', OTEL_FIBERS: '1' }, nodeArgs);
      checkTraces(printed, { database: false, fiberSpans: true });
      for (const span of printed.spans.filter((span) => span.scope === 'fiberscope')) {
        const waitingMs = Number(span.attributes['fiberscope.fiber.waiting_ms']);
        const longestMs = Number(span.attributes['fiberscope.fiber.longest_wait_ms']);
        expect(waitingMs).toBeGreaterThan(0);
        expect(span.attributes['fiberscope.fiber.running_ms']).toBeGreaterThanOrEqual(0);
        expect(span.attributes['fiberscope.fiber.waits']).toBeGreaterThanOrEqual(3);
        expect(longestMs).toBeGreaterThan(0);
        expect(longestMs).toBeLessThanOrEqual(waitingMs);
        expect(span.attributes['fiberscope.fiber.longest_wait_site']).toMatch(
          /^Object\.\w+ \(.*examples\/kitchen\/\w+(-\w+)?\.js:\d+:\d+\)$/,
        );
      }
    },
  );

  const url = process.env.KITCHEN_TEST_DATABASE_URL;
  for (const fiberSpans of [false, true]) {
    const title = fiberSpans ? ', fiberscope/otel' : '';
    it(`PostgreSQL through pg${title}: pg's spans too`, { timeout: 120_000 }, async (context) => {
      requireOrSkip(context, "the kitchen's OpenTelemetry test on PostgreSQL", postgresMissing);
      // A database of this run's own, dropped afterwards.
      const { Client } = load('pg');
      const admin = new Client({ connectionString: url });
      await admin.connect();
      const name = `kitchen_otel_${process.pid}_${fiberSpans ? 1 : 0}`;
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.query(`CREATE DATABASE ${name}`);
      try {
        const own = new URL(url);
        own.pathname = `/${name}`;
        const printed = runKitchen({ DATABASE_URL: own.href, OTEL_FIBERS: fiberSpans ? '1' : '' });
        checkTraces(printed, { database: true, fiberSpans });
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${name}`);
        await admin.end();
      }
    });
  }
});
