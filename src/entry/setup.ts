// What loading any of fiberscope's entry points sets up, once per copy of fiberscope: stitched
// error stacks (src/stitch/install.ts), and the hook through which `fiberscope profile --attach`
// and `fiberscope repl --attach` find this runtime in a process through the inspector (the
// profiler and the REPL's side are loaded only when asked for).
import '../stitch/install';

Object.defineProperty(globalThis, Symbol.for('fiberscope.runtime'), {
  value: Object.freeze({
    profiler: () => require('../profiler'),
    repl: () => require('../repl/target'),
    diagnostics: () => require('../diagnostics/remote'),
  }),
  configurable: true,
});
