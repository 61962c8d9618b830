// `fiberscope`: the fiber runtime's API.
import './setup';

export {
  type FiberEvent,
  FiberEventRecorder,
  type FiberEventRecorderOptions,
  type FiberEventType,
  recordFiberEvents,
} from '../fiber/events';
export { Fiber, type FiberOptions } from '../fiber/fiber';
export { FiberFuture, Future, futurize, type NodeCallback } from '../fiber/future';
export { spawn, sync, wait } from '../fiber/wait';
