// `fiberscope/stitch`: stitched traces as data and text, their options, source maps.
import './setup';

export * from '../stitch';
