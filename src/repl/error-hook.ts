// Where fiberscope hears of the errors Node's REPL reports itself: an input's exception, which
// Node's evaluator prints instead of calling back, and an uncaught exception of an input's async
// work. Up to Node 24 the REPL reports them through the 'error' event of its domain; Node 26's REPL
// has no domain, and reports them through its _handleError() method, which it looks up on the
// server at each use.
import type { REPLServer } from 'node:repl';

/** Calls `listener` with each error the REPL has just reported (printed, unless told not to). */
export function onReportedError(server: REPLServer, listener: (error: unknown) => void): void {
  const repl = server as unknown as {
    _domain?: NodeJS.EventEmitter;
    _handleError?: (error: unknown) => unknown;
  };
  if (repl._domain !== undefined) {
    repl._domain.on('error', listener);
    return;
  }
  const handleError = repl._handleError;
  if (typeof handleError !== 'function') return;
  repl._handleError = function (this: unknown, error: unknown): unknown {
    const state = handleError.call(this, error);
    listener(error);
    return state;
  };
}
