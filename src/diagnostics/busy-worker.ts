// The watchdog's thread for busy code (watchdog.ts): the main thread stores the time into a
// shared heartbeat from its event loop; when the heartbeat stops for longer than the limit,
// JavaScript holds the thread, and this thread asks, through an inspector session on the main
// thread (served inside running JavaScript, as a V8 interrupt), for that code's stack.
import inspector from 'node:inspector';
import { workerData } from 'node:worker_threads';

export interface BusyWorkerData {
  /** BigInt64Array: [0] the main thread's last heartbeat (Date.now()), [1] nonzero to stop. */
  heartbeat: SharedArrayBuffer;
  watcherId: number;
  /** How long the heartbeat may stop, beyond its period. */
  limitMs: number;
  periodMs: number;
}

const { heartbeat, watcherId, limitMs, periodMs } = workerData as BusyWorkerData;
const beat = new BigInt64Array(heartbeat);
const session = new inspector.Session();
session.connectToMainThread();
let reportedBeat = 0n;

const timer = setInterval(
  () => {
    if (Atomics.load(beat, 1) !== 0n) {
      clearInterval(timer);
      session.disconnect();
      return;
    }
    const last = Atomics.load(beat, 0);
    if (last === reportedBeat || Date.now() - Number(last) - periodMs < limitMs) return;
    reportedBeat = last;
    session.post(
      'Runtime.evaluate',
      {
        // Registered by watchdog.ts; this call's own frame is the first of the captured ones.
        expression: `globalThis[Symbol.for('fiberscope.watchdog')]?.(${watcherId}, ${last})`,
      },
      () => {},
    );
  },
  Math.max(5, Math.min(periodMs, 100)),
);
