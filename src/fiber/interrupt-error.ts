// The error an input stopped by Ctrl-C ends with, as in Node's REPL: thrown by the REPL at the
// wait of a suspended input (repl/interrupt.ts), and by the addon at the resumer of a fiber
// whose busy JavaScript the Ctrl-C watch terminated (native.ts hands it this factory).

export const INTERRUPTED_MESSAGE = 'Script execution was interrupted by `SIGINT`';

/** A new interrupt error: no frames, and the code Node gives an interrupted script. */
export function interruptError(): Error {
  // Where the signal was handled says nothing: the trace is where the input was.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const error = new Error(INTERRUPTED_MESSAGE);
  Error.stackTraceLimit = limit;
  Object.defineProperty(error, 'code', { value: 'ERR_SCRIPT_EXECUTION_INTERRUPTED' });
  return error;
}
