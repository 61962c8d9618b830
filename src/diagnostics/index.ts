// The diagnostics layer's API (the package's `fiberscope/diagnostics`): fiber dumps and the
// watchdog.
export { dumpFibers } from './dump';
export { type FormatDumpOptions, formatFiberDump } from './format';
export type {
  DumpedFiber,
  DumpedFiberState,
  FiberDump,
  FiberGroup,
  MainThread,
  SpawnLevel,
} from './model';
export { type DumpSignalOptions, installDumpSignal } from './signal';
export {
  type FiberWatch,
  FiberWatchdogReport,
  type WatchdogLogger,
  type WatchOptions,
  watchFibers,
} from './watchdog';
