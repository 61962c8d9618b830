// Stitched error stacks on: registers fiberscope's stitcher with the runtime, and installs
// source-mapped stack traces (unless FIBERSCOPE_SOURCE_MAPS=0), so that stitched traces show
// TypeScript and bundled code at its original lines. Loading any of fiberscope's entry points
// does this (src/entry/setup.ts); the runtime alone formats nothing.
import { setStitcher } from '../fiber/hooks';
import { stitcher } from './capture';
import { installSourceMaps } from './source-maps';

if (process.env.FIBERSCOPE_SOURCE_MAPS !== '0') installSourceMaps();
setStitcher(stitcher);
