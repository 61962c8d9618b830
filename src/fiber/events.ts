import { binding } from './native';

export type FiberEventType = 'created' | 'run' | 'yield' | 'finish' | 'throw';

/** One fiber lifecycle or switch event, as the addon recorded it. */
export interface FiberEvent {
  type: FiberEventType;
  /** The fiber the event is about. */
  fiberId: number;
  /** created: the fiber it was created on; run: the one that ran it; yield, finish, throw: the
   *  one that gets control back. 0 is the thread the isolate belongs to (the main thread). */
  otherId: number;
  /** Nanoseconds on the monotonic clock of `process.hrtime()`. */
  timeNs: number;
}

export interface FiberEventRecorderOptions {
  /** How many events are kept between two `drain()` calls before the oldest are dropped.
   *  Default 65536. */
  capacity?: number;
}

const TYPES: Record<number, FiberEventType> = {
  1: 'created',
  2: 'run',
  3: 'yield',
  4: 'finish',
  5: 'throw',
};
const FIELDS = 4;

const recorders = new Set<FiberEventRecorder>();
let nativeCapacity = 0;
let nativeDroppedSeen = 0;
let scratch = new Float64Array(0);

/** Moves what the addon recorded into every active recorder. */
function pump(): void {
  if (recorders.size === 0) return;
  const dropped = binding.eventsDropped();
  if (dropped > nativeDroppedSeen) {
    for (const recorder of recorders) recorder.dropped += dropped - nativeDroppedSeen;
    nativeDroppedSeen = dropped;
  }
  for (;;) {
    const count = binding.drainEvents(scratch);
    for (let i = 0; i < count; i++) {
      const event: FiberEvent = {
        timeNs: scratch[i * FIELDS],
        type: TYPES[scratch[i * FIELDS + 1]],
        fiberId: scratch[i * FIELDS + 2],
        otherId: scratch[i * FIELDS + 3],
      };
      for (const recorder of recorders) recorder.push(event);
    }
    if (count * FIELDS < scratch.length) return;
  }
}

/**
 * Records fiber events until `stop()`. Recording costs a branch per switch while no recorder is
 * active, and a timestamp and a ring-buffer write while one is.
 */
export class FiberEventRecorder {
  /** Events lost because the ring filled up between two drains. */
  dropped = 0;
  #events: FiberEvent[] = [];
  #capacity: number;
  #stopped = false;

  constructor(options: FiberEventRecorderOptions = {}) {
    const capacity = options.capacity ?? 65536;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('Expected the "capacity" option to be a positive integer');
    }
    this.#capacity = capacity;
    pump();
    recorders.add(this);
    if (capacity > nativeCapacity) {
      binding.enableEvents(capacity);
      nativeCapacity = capacity;
      nativeDroppedSeen = 0;
      scratch = new Float64Array(Math.min(capacity, 4096) * FIELDS);
    }
  }

  /** @internal */
  push(event: FiberEvent): void {
    if (this.#events.length >= this.#capacity) {
      this.#events.shift();
      this.dropped++;
    }
    this.#events.push(event);
  }

  /** Returns the events recorded since the last drain, oldest first. */
  drain(): FiberEvent[] {
    if (!this.#stopped) pump();
    const events = this.#events;
    this.#events = [];
    return events;
  }

  /** Stops recording; returns what was not drained yet. */
  stop(): FiberEvent[] {
    if (this.#stopped) return this.drain();
    pump();
    this.#stopped = true;
    recorders.delete(this);
    if (recorders.size === 0) {
      binding.disableEvents();
      nativeCapacity = 0;
      nativeDroppedSeen = 0;
    }
    return this.drain();
  }
}

/** Starts recording fiber events. */
export function recordFiberEvents(options?: FiberEventRecorderOptions): FiberEventRecorder {
  return new FiberEventRecorder(options);
}
