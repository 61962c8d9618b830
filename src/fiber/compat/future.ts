// Drop-in for node-fibers' `fibers/future`: `require('fiberscope/future')` returns the Future
// class itself, and loading it adds `Function.prototype.future` as node-fibers does.
import { type FiberFuture, Future, futurize } from '../future';

declare global {
  interface Function {
    /**
     * node-fibers' `fn.future(detach?)`: a function that calls `fn` in a fiber and returns a
     * future of its result (added by `fiberscope/future` and `fibers/future` under
     * `fiberscope/register`).
     */
    future(detach?: boolean): (...args: any[]) => FiberFuture;
  }
}

// node-fibers assigns it, which makes it enumerable; here it stays out of for-in loops (and so
// out of Future.wrap's walk over a function's properties).
Object.defineProperty(Function.prototype, 'future', {
  value: function future(this: (...args: any[]) => unknown, detach?: boolean) {
    return futurize(this, detach);
  },
  writable: true,
  enumerable: false,
  configurable: true,
});

export = Future;
