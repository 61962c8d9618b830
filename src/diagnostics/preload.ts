// Preloaded by `fiberscope run --watch WAITING,RUNNING`: the watchdog over the whole program,
// its reports through process.emitWarning(). FIBERSCOPE_WATCH holds the two limits in ms.
import { isMainThread } from 'node:worker_threads';
import { watchFibers } from './watchdog';

const [waiting, running] = (process.env.FIBERSCOPE_WATCH ?? '').split(',').map(Number);
// Worker threads inherit the preload: the program's main thread alone is watched.
if (isMainThread && waiting > 0 && running > 0) {
  watchFibers({ waitingLongerThan: waiting, runningLongerThan: running });
}
