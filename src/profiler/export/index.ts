// The profile exporters: pure functions from a Profile to a format's JSON object or text.

export {
  type CpuProfile,
  type CpuProfileCallFrame,
  type CpuProfileNode,
  toCpuProfile,
} from './cpuprofile';
export { type FoldedOptions, toFolded } from './folded';
export { type HtmlOptions, toHtml } from './html';
export { type PprofOptions, toPprof } from './pprof';
export {
  SPEEDSCOPE_SCHEMA,
  type SpeedscopeFile,
  type SpeedscopeFrame,
  type SpeedscopeSampledProfile,
  toSpeedscope,
} from './speedscope';
