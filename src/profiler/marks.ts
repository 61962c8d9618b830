// Timeline marks (a fiber waits at a frame, a fiber is ready to run again), recorded at every
// wait while a profiler runs: kept in a Float64Array sized for the capacity up front (zeroed
// pages the system maps in only as marks are written), so recording one allocates nothing.
import type { ProfileChunk } from './chunk';

const FIELDS = 4;
const WAIT = 0;
const READY = 1;

export class MarkBuffer {
  /** Marks not recorded because the buffer was full. */
  dropped = 0;
  /** How many times take() emptied the buffer: an index is valid within one generation. */
  generation = 0;
  readonly #capacity: number;
  readonly #data: Float64Array;
  #count = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#data = new Float64Array(capacity * FIELDS);
  }

  /** Records a mark; returns its index for setFrame(), or -1 when the buffer is full. */
  push(timeUs: number, ready: boolean, fiberId: number, frame: number): number {
    if (this.#count >= this.#capacity) {
      this.dropped++;
      return -1;
    }
    const at = this.#count++ * FIELDS;
    this.#data[at] = timeUs;
    this.#data[at + 1] = ready ? READY : WAIT;
    this.#data[at + 2] = fiberId;
    this.#data[at + 3] = frame;
    return this.#count - 1;
  }

  /** Sets the frame of a mark pushed since the last take(). */
  setFrame(index: number, frame: number): void {
    if (index >= 0 && index < this.#count) this.#data[index * FIELDS + 3] = frame;
  }

  /** The marks recorded since the last take, oldest first; the buffer starts empty again. */
  take(): ProfileChunk['marks'] {
    const marks: ProfileChunk['marks'] = [];
    for (let at = 0; at < this.#count * FIELDS; at += FIELDS) {
      const type = this.#data[at + 1] === READY ? 'ready' : 'wait';
      marks.push([this.#data[at], type, this.#data[at + 2], this.#data[at + 3]]);
    }
    this.#count = 0;
    this.generation++;
    return marks;
  }
}

/** Microseconds on the monotonic clock the addon's events use (process.hrtime()). */
export function nowUs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1e6 + nanoseconds / 1000;
}
