export { Fiber, type FiberOptions } from './fiber/fiber';
export {
  type FiberEvent,
  FiberEventRecorder,
  type FiberEventRecorderOptions,
  type FiberEventType,
  recordFiberEvents,
} from './fiber/events';
export { Future } from './fiber/future';
export { spawn, sync, wait } from './fiber/wait';
