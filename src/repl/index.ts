// The REPL's API (the package's `fiberscope/repl`): a REPL whose inputs run inside fibers,
// locally or in another process.
export { type AttachedREPLServer, type AttachOptions, attach } from './attach';
export { type FiberREPLServer, type FiberReplOptions, start } from './start';
