// The profiler's API (the package's `fiberscope/profiler`): a sampling profiler that attributes
// time per fiber.

export type { NameGroup } from './by-name';
export { assembleProfile, MAX_TIMELINE_SEGMENTS, type ProfileChunk } from './chunk';
export * from './export';
export { fromCpuProfile } from './import/cpuprofile';
export { fromSpeedscope } from './import/speedscope';
export type {
  Profile,
  ProfileFrame,
  ProfileSample,
  ProfileThread,
  TimelineSegment,
} from './model';
export { FiberProfile, Profiler, type ProfilingOptions, startProfiling } from './profiler';
