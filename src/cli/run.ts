// `fiberscope run script.js [args]`: runs a program in a child Node.js with the fiber runtime
// preloaded (fiberscope/register), passing stdio, signals and the exit code through.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROFILE_SUFFIXES, unsupportedProfileFile } from '../profiler/write';
import { parseDuration } from './durations';
import { UsageError } from './usage-error';

export const RUN_USAGE = `  run [--profile FILE] [--interval 1ms] [--] <script> [args...]
                                Run a Node.js program with the fiber runtime: require('fibers')
                                and require('fibers/future') load fiberscope's drop-ins. With
                                --profile, sample every fiber and write FILE at exit
                                (${PROFILE_SUFFIXES.join(', ')}).`;

export async function runCommand(args: string[]): Promise<number> {
  let profileFile: string | undefined;
  let intervalUs = 1000;
  let rest = args;
  while (rest.length > 0 && rest[0].startsWith('-')) {
    const [flag, value] = rest;
    if (flag === '--') {
      rest = rest.slice(1);
      break;
    }
    if (flag !== '--profile' && flag !== '--interval')
      throw new UsageError(`unknown option ${flag}`);
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === '--profile') profileFile = path.resolve(value);
    else intervalUs = parseDuration(value, 'us', '--interval', 50, 1_000_000);
    rest = rest.slice(2);
  }
  const [script, ...scriptArgs] = rest;
  if (script === undefined) throw new UsageError('run needs a script to run');
  if (profileFile !== undefined) {
    const why = unsupportedProfileFile(profileFile);
    if (why !== undefined) throw new UsageError(why);
  }
  const scriptPath = path.resolve(script);
  if (!existsSync(scriptPath)) throw new Error(`cannot find the script ${scriptPath}`);
  const register = path.join(__dirname, '..', 'entry', 'register.js');
  const preloads = ['-r', register];
  const env = { ...process.env };
  if (profileFile !== undefined) {
    preloads.push('-r', path.join(__dirname, '..', 'profiler', 'preload.js'));
    env.FIBERSCOPE_PROFILE = profileFile;
    env.FIBERSCOPE_PROFILE_INTERVAL_US = String(intervalUs);
  }
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...preloads, scriptPath, ...scriptArgs],
    {
      stdio: 'inherit',
      env,
    },
  );
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        // A child killed by a signal exits the way a shell reports it: 128 + the signal number.
        resolve(code ?? 128 + (signal ? (require('node:os').constants.signals[signal] ?? 0) : 0));
      });
    });
  } finally {
    for (const signal of signals) process.off(signal, forward);
  }
}
