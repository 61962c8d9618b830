// `instrumentFibers()`: each named fiber runs in an OpenTelemetry span of its own, a child of the
// context that spawned it, ended when the fiber's function returns or throws. The span carries
// how long the fiber ran and waited, and where it waited longest.
import type { Span, Tracer } from '@opentelemetry/api';
import { Fiber, isUnwinding } from '../fiber/fiber';
import { type FiberBody, hooks, setSwitchListener } from '../fiber/hooks';
import { requireOtelApi } from '../util/otel-api';
import { isOwnFrame } from '../util/own-files';

export interface InstrumentFibersOptions {
  /** The tracer that makes the fibers' spans. Default: `trace.getTracer('fiberscope')` of the
   *  registered tracer provider. */
  tracer?: Tracer;
}

export interface FiberInstrumentation {
  /** Fibers created from now on get no span (those running keep theirs). */
  disable(): void;
}

/** Attributes of a fiber's span. */
export const ATTRIBUTES = {
  id: 'fiberscope.fiber.id',
  runningMs: 'fiberscope.fiber.running_ms',
  waitingMs: 'fiberscope.fiber.waiting_ms',
  waits: 'fiberscope.fiber.waits',
  longestWaitMs: 'fiberscope.fiber.longest_wait_ms',
  longestWaitSite: 'fiberscope.fiber.longest_wait_site',
  reset: 'fiberscope.fiber.reset',
} as const;

/** How long one fiber waited, and the stack of its longest wait (formatted only at the end). */
class WaitClock {
  waitingMs = 0;
  waits = 0;
  longestMs = 0;
  #longest: { stack?: string } | undefined;
  #since = 0;
  #site: { stack?: string } = {};

  suspending(): void {
    this.#site = {};
    // Called inside Fiber.yield(): the frames below it are where the fiber waits. V8 formats
    // them only if this wait turns out the longest and its stack is read.
    Error.captureStackTrace(this.#site, Fiber.yield);
    this.#since = performance.now();
  }

  resumed(): void {
    const ms = performance.now() - this.#since;
    this.waitingMs += ms;
    this.waits++;
    if (ms >= this.longestMs) {
      this.longestMs = ms;
      this.#longest = this.#site;
    }
  }

  /** The first frame of the longest wait outside fiberscope ("fn (file:line:column)"). */
  longestSite(): string | undefined {
    const lines = this.#longest?.stack?.split('\n') ?? [];
    const frame = lines.find((line) => /^\s+at /.test(line) && !isOwnFrame(line));
    return frame?.trim().slice(3);
  }
}

function finish(span: Span, fiber: Fiber, clock: WaitClock, startedMs: number): void {
  const totalMs = performance.now() - startedMs;
  span.setAttribute(ATTRIBUTES.id, fiber.id);
  span.setAttribute(ATTRIBUTES.waitingMs, clock.waitingMs);
  span.setAttribute(ATTRIBUTES.runningMs, Math.max(0, totalMs - clock.waitingMs));
  span.setAttribute(ATTRIBUTES.waits, clock.waits);
  if (clock.waits > 0) {
    span.setAttribute(ATTRIBUTES.longestWaitMs, clock.longestMs);
    const site = clock.longestSite();
    if (site !== undefined) span.setAttribute(ATTRIBUTES.longestWaitSite, site);
  }
  span.end();
}

/**
 * Gives each named fiber created from now on a span (named after the fiber) while its function
 * runs. Needs @opentelemetry/api, and an SDK registered for the spans to go anywhere.
 */
export function instrumentFibers(options: InstrumentFibersOptions = {}): FiberInstrumentation {
  const api = requireOtelApi('fiberscope/otel');
  const tracer = options.tracer ?? api.trace.getTracer('fiberscope');
  const spans = new WeakMap<Fiber, Span>();
  const failed = (span: Span, error: unknown) => {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: String(error) });
  };
  const wrap = (body: FiberBody) =>
    function fiberInSpan(this: unknown, ...args: unknown[]): unknown {
      const fiber = Fiber.current;
      if (fiber === undefined || fiber.name === '') return Reflect.apply(body, this, args);
      // The fiber starts in the context it was created in: its span is a child of that.
      const span = tracer.startSpan(fiber.name, { attributes: { [ATTRIBUTES.id]: fiber.id } });
      const clock = new WaitClock();
      const startedMs = performance.now();
      spans.set(fiber, span);
      setSwitchListener(fiber, clock);
      try {
        return api.context.with(api.trace.setSpan(api.context.active(), span), () =>
          Reflect.apply(body, this, args),
        );
      } catch (error) {
        if (isUnwinding(error)) span.setAttribute(ATTRIBUTES.reset, true);
        else failed(span, error);
        throw error;
      } finally {
        setSwitchListener(fiber, undefined);
        spans.delete(fiber);
        finish(span, fiber, clock, startedMs);
      }
    };
  const fail = (error: unknown) => {
    const fiber = Fiber.current;
    const span = fiber === undefined ? undefined : spans.get(fiber);
    if (span !== undefined) failed(span, error);
  };
  const previous = { body: hooks.fiberBody, failed: hooks.fiberFailed };
  const body: (inner: FiberBody) => FiberBody =
    previous.body === undefined ? wrap : (inner) => wrap((previous.body as typeof wrap)(inner));
  const fiberFailed = (error: unknown) => {
    previous.failed?.(error);
    fail(error);
  };
  hooks.fiberBody = body;
  hooks.fiberFailed = fiberFailed;
  return {
    disable() {
      if (hooks.fiberBody === body) hooks.fiberBody = previous.body;
      if (hooks.fiberFailed === fiberFailed) hooks.fiberFailed = previous.failed;
    },
  };
}
