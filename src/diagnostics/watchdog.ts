// watchFibers(): reports fibers that wait longer than a limit (and again when they resume), and
// JavaScript that holds the thread longer than a limit (with its stack, taken while it runs, and
// again when it yields).

import path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  Fiber,
  onResumeFromWait,
  probeWaitSite,
  suspendedSince,
  suspendedTraceOf,
} from '../fiber/fiber';
import { binding } from '../fiber/native';
import { formatFrame } from '../stitch/format';
import { separatorLine } from '../stitch/parse';
import { formatDuration } from '../util/duration';
import type { BusyWorkerData } from './busy-worker';
import { inspectorCaller } from './remote';

/** The pino logger calls the watchdog makes (any logger with this method works). */
export interface WatchdogLogger {
  warn(object: object, message: string): void;
}

export interface WatchOptions {
  /** Report a fiber in wait() or Future.wait() for longer than this many milliseconds. */
  waitingLongerThan?: number;
  /** Report JavaScript (a fiber's or the main thread's) that runs for longer than this many
   *  milliseconds without returning to the event loop. */
  runningLongerThan?: number;
  /** A pino logger: each report is a `warn` line in fiberscope/pino's shape. Default: none,
   *  process.emitWarning(). */
  logger?: WatchdogLogger;
}

export interface FiberWatch {
  /** Stops watching (the reports of a fiber still waiting past the limit are dropped). */
  stop(): void;
}

/** What a report says, for a logger and for emitWarning() alike. */
interface Report {
  event: 'waiting' | 'resumed' | 'busy' | 'yielded';
  message: string;
  fiber?: Fiber;
  ms: number;
  /** The stitched trace, as stack text below the message. */
  trace?: string;
}

/** The error a logged report carries, its stack the stitched trace of the fiber (or thread). */
export class FiberWatchdogReport extends Error {
  override name = 'FiberWatchdogReport';
}

const CODES = {
  waiting: 'FIBERSCOPE_FIBER_WAITING',
  resumed: 'FIBERSCOPE_FIBER_RESUMED',
  busy: 'FIBERSCOPE_THREAD_BUSY',
  yielded: 'FIBERSCOPE_THREAD_YIELDED',
} as const;

function emit(report: Report, logger: WatchdogLogger | undefined): void {
  if (logger === undefined) {
    process.emitWarning(report.message, {
      type: 'FiberWatchdogWarning',
      code: CODES[report.event],
      detail: report.trace,
    });
    return;
  }
  const line: Record<string, unknown> = { fiberscope: { event: report.event, ms: report.ms } };
  if (report.fiber !== undefined) line.fiber = { id: report.fiber.id, name: report.fiber.name };
  if (report.trace !== undefined) {
    // Serialized by the logger: with fiberscope/pino's serializers, into its stitched shape.
    const error = new FiberWatchdogReport(report.message);
    error.stack = `${error.name}: ${report.message}\n${report.trace}`;
    line.err = error;
  }
  logger.warn(line, report.message);
}

function who(fiber: Fiber | undefined): string {
  if (fiber === undefined) return 'the main thread';
  return fiber.name === ''
    ? `fiber #${fiber.id}`
    : `fiber #${fiber.id} ${JSON.stringify(fiber.name)}`;
}

function checkPositive(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`Expected the "${name}" option to be a positive number of milliseconds`);
  }
}

const registry = new Map<number, (lastBeat: number) => void>();
let nextWatcherId = 1;

/** Called by busy-worker.ts through the inspector, inside the code that holds the thread. */
function onBusy(watcherId: number, lastBeat: number): void {
  registry.get(watcherId)?.(lastBeat);
}

/** Watches for long waits (a timer, with each overdue fiber probed for where it waits) and for
 *  code holding the thread (a worker thread and a heartbeat). Returns the way to stop. */
export function watchFibers(options: WatchOptions): FiberWatch {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('Expected the options to be an object');
  }
  for (const key of Object.keys(options)) {
    if (!['waitingLongerThan', 'runningLongerThan', 'logger'].includes(key)) {
      throw new TypeError(`Unknown option "${key}"`);
    }
  }
  const { waitingLongerThan, runningLongerThan, logger } = options;
  checkPositive('waitingLongerThan', waitingLongerThan);
  checkPositive('runningLongerThan', runningLongerThan);
  if (logger !== undefined && typeof logger?.warn !== 'function') {
    throw new TypeError('Expected the "logger" option to have a warn() method (a pino logger)');
  }
  const stops: Array<() => void> = [];
  if (waitingLongerThan !== undefined) stops.push(watchWaits(waitingLongerThan, logger));
  if (runningLongerThan !== undefined) stops.push(watchBusy(runningLongerThan, logger));
  return {
    stop: () => {
      for (const stop of stops.splice(0)) stop();
    },
  };
}

function watchWaits(limitMs: number, logger: WatchdogLogger | undefined): () => void {
  // The suspension each overdue fiber was reported for.
  const reported = new WeakMap<Fiber, number>();
  let stopped = false;
  const check = () => {
    const now = Date.now();
    for (const [native, running] of binding.liveFibers()) {
      if (running || !(native instanceof Fiber)) continue;
      const fiber = native;
      const since = suspendedSince(fiber);
      if (since === undefined || now - since < limitMs || reported.get(fiber) === since) continue;
      reported.set(fiber, since);
      emit(
        {
          event: 'waiting',
          message: `${who(fiber)} has been waiting for ${formatDuration(now - since)}`,
          fiber,
          ms: now - since,
          trace: [
            separatorLine('wait', fiber.id, fiber.name),
            suspendedTraceOf(fiber, probeWaitSite(fiber)),
          ].join('\n'),
        },
        logger,
      );
      onResumeFromWait(fiber, () => {
        if (stopped) return;
        const total = Date.now() - since;
        emit(
          {
            event: 'resumed',
            message: `${who(fiber)} resumed after waiting ${formatDuration(total)}`,
            fiber,
            ms: total,
          },
          logger,
        );
      });
    }
  };
  const timer = setInterval(check, Math.min(1000, Math.max(10, limitMs / 4)));
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

function watchBusy(limitMs: number, logger: WatchdogLogger | undefined): () => void {
  const periodMs = Math.min(250, Math.max(5, Math.round(limitMs / 4)));
  const heartbeat = new SharedArrayBuffer(16);
  const beat = new BigInt64Array(heartbeat);
  const watcherId = nextWatcherId++;
  // What a busy report said, until the heartbeat shows the thread free again.
  let busy: { fiber: Fiber | undefined; sinceMs: number } | undefined;
  const tick = () => {
    const now = Date.now();
    Atomics.store(beat, 0, BigInt(now));
    if (busy === undefined) return;
    const total = now - busy.sinceMs;
    const holder = busy.fiber;
    busy = undefined;
    emit(
      {
        event: 'yielded',
        message: `${who(holder)} let the event loop run again after running JavaScript for ${formatDuration(total)}`,
        fiber: holder,
        ms: total,
      },
      logger,
    );
  };
  tick();
  const timer = setInterval(tick, periodMs);
  timer.unref();
  registry.set(watcherId, (lastBeat) => {
    const { frames, interrupting } = inspectorCaller(onBusy);
    // Served between tasks: whatever held the thread ran outside JavaScript, and is over.
    if (!interrupting) return;
    const fiber = Fiber.current;
    const ms = Date.now() - lastBeat;
    busy = { fiber, sinceMs: lastBeat };
    const lines = frames.map((frame) => formatFrame(frame));
    if (fiber !== undefined) lines.push(suspendedTraceOf(fiber, {}));
    emit(
      {
        event: 'busy',
        message: `${who(fiber)} has been running JavaScript for ${formatDuration(ms)} without yielding: the event loop and every other fiber wait`,
        fiber,
        ms,
        trace: lines.filter((line) => line !== '').join('\n'),
      },
      logger,
    );
  });
  Object.defineProperty(globalThis, Symbol.for('fiberscope.watchdog'), {
    value: onBusy,
    configurable: true,
  });
  const data: BusyWorkerData = { heartbeat, watcherId, limitMs, periodMs };
  // No preloads (`-r`) of the process's: `fiberscope run --watch`'s would start a watchdog there.
  const worker = new Worker(path.join(__dirname, 'busy-worker.js'), {
    workerData: data,
    execArgv: [],
  });
  worker.unref();
  const stop = () => {
    clearInterval(timer);
    registry.delete(watcherId);
    Atomics.store(beat, 1, 1n);
    process.off('exit', stop);
  };
  // Exiting is no time to be reported as busy: the heartbeat has stopped for good.
  process.on('exit', stop);
  return stop;
}
