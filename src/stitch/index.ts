// The stitch layer's API (the package's `fiberscope/stitch`): stitched traces as a structure,
// and back to text.
export {
  configureStitching,
  type SpawnSites,
  type StitchOptions,
  type StitchSettings,
} from './capture';
export { type FormatOptions, formatStitched } from './format';
export type { SegmentKind, StitchedError, StitchedFrame, StitchedSegment } from './model';
export { installSourceMaps, sourceMapsActive } from './source-maps';
export { stitch } from './stitch';
