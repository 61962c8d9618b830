// `fiberscope/profiler`: the sampling profiler, its model, importers and exporters.
import './setup';

export * from '../profiler';
