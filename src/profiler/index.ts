// `fiberscope/profiler`: a sampling profiler that attributes time per fiber.

export * from './export';
export { fromCpuProfile } from './import/cpuprofile';
export { fromSpeedscope } from './import/speedscope';
export type { Profile, ProfileFrame, ProfileSample, ProfileThread } from './model';
export { FiberProfile, Profiler, type ProfilingOptions, startProfiling } from './profiler';
