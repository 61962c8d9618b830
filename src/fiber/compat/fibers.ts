// Drop-in for node-fibers' `fibers` module: `Fiber(fn)` with or without `new`, Fiber.yield,
// Fiber.current, Fiber.poolSize, Fiber.fibersCreated. Objects are fiberscope Fibers.
import { Fiber as FiberClass, spawnOptions } from '../fiber';

interface FiberConstructor {
  (fn: (value?: any) => unknown): FiberClass;
  new (fn: (value?: any) => unknown): FiberClass;
  prototype: FiberClass;
  yield(value?: unknown): any;
  readonly current: FiberClass | undefined;
  poolSize: number;
  readonly fibersCreated: number;
}

const Fiber = function Fiber(fn: (value?: any) => unknown): FiberClass {
  if (arguments.length !== 1) throw new TypeError('Fiber expects 1 argument');
  if (typeof fn !== 'function') throw new TypeError('Fiber expects a function');
  return new FiberClass(fn, spawnOptions(fn, Fiber));
} as unknown as FiberConstructor;

Fiber.prototype = FiberClass.prototype;
Object.defineProperties(Fiber, {
  yield: { value: FiberClass.yield, writable: true, configurable: true },
  current: { get: () => FiberClass.current, configurable: true },
  poolSize: {
    get: () => FiberClass.poolSize,
    set: (size: number) => {
      FiberClass.poolSize = size;
    },
    configurable: true,
  },
  fibersCreated: { get: () => FiberClass.fibersCreated, configurable: true },
});

// `require('fibers')` returns the constructor itself, so this module assigns module.exports.
export = Fiber;
