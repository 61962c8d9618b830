// `fiberscope/diagnostics`: fiber dumps (in process, on a signal) and the fiber watchdog.
import './setup';

export * from '../diagnostics';
