// Preloaded by `fiberscope run --profile FILE`: profiles the whole program and writes FILE when
// it exits, however it exits (returns, process.exit(), an uncaught error, Ctrl-C or SIGTERM).
import { startProfiling } from './profiler';
import { writeProfile } from './write';

const file = process.env.FIBERSCOPE_PROFILE;
if (file) {
  const profiler = startProfiling({
    intervalUs: Number(process.env.FIBERSCOPE_PROFILE_INTERVAL_US ?? 1000),
  });
  let written = false;
  const finish = () => {
    if (written) return;
    written = true;
    try {
      writeProfile(profiler.stop(), file);
    } catch (error) {
      process.stderr.write(
        `fiberscope: could not write the profile: ${(error as Error).message}\n`,
      );
      process.exitCode = process.exitCode || 1;
    }
  };
  process.on('exit', finish);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      finish();
      // Exit the way the signal would have: 128 + its number.
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
}
