// `fiberscope run script.js [args]`: runs a program in a child Node.js with the fiber runtime
// preloaded (fiberscope/register), passing stdio, signals and the exit code through.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROFILE_SUFFIXES, unsupportedProfileFile } from '../profiler/write';
import { parseCommandArgs } from './args';
import { parseDuration } from './durations';
import { UsageError } from './usage-error';

export const RUN_USAGE = `  run [--profile FILE] [--interval 1ms] [--watch 5s,200ms] [--] <script> [args...]
                                Run a Node.js program with the fiber runtime: require('fibers')
                                and require('fibers/future') load fiberscope's drop-ins. With
                                --profile, sample every fiber and write FILE at exit
                                (${PROFILE_SUFFIXES.join(', ')}). With --watch WAITING,RUNNING,
                                warn of fibers waiting longer than WAITING and of JavaScript
                                running longer than RUNNING without yielding.
                                Options go before the script; durations take a unit: 500us
                                (or 500µs), 1ms, 5s.`;

const OPTIONS = {
  profile: { type: 'string' },
  interval: { type: 'string' },
  watch: { type: 'string' },
} as const;

/** `--watch WAITING,RUNNING`: the watchdog's two limits, in ms. */
function parseWatch(text: string): [number, number] {
  const parts = text.split(',');
  if (parts.length !== 2) {
    throw new UsageError(
      `--watch takes WAITING,RUNNING, two durations like 5s,200ms, not "${text}"`,
    );
  }
  return [
    parseDuration(parts[0], 'ms', '--watch (waiting)', 1, 86_400_000),
    parseDuration(parts[1], 'ms', '--watch (running)', 1, 86_400_000),
  ];
}

export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals, terminated } = parseCommandArgs('run', args, OPTIONS, {
    stopAtPositional: true,
  });
  const [script, ...scriptArgs] = positionals;
  if (script === undefined) throw new UsageError('run needs a script to run');
  const profileFile = values.profile === undefined ? undefined : path.resolve(values.profile);
  const intervalUs =
    values.interval === undefined
      ? 1000
      : parseDuration(values.interval, 'us', '--interval', 50, 1_000_000);
  const watch = values.watch === undefined ? undefined : parseWatch(values.watch);
  if (profileFile !== undefined) {
    const why = unsupportedProfileFile(profileFile);
    if (why !== undefined) throw new UsageError(why);
  }
  const scriptPath = path.resolve(script);
  if (!existsSync(scriptPath)) throw new Error(`cannot find the script ${scriptPath}`);
  if (!terminated) {
    warnOptionsAfterScript(args.slice(0, args.length - positionals.length), script, scriptArgs, {
      profiling: profileFile !== undefined,
    });
  }
  const register = path.join(__dirname, '..', 'entry', 'register.js');
  const preloads = ['-r', register];
  const env = { ...process.env };
  if (profileFile !== undefined) {
    preloads.push('-r', path.join(__dirname, '..', 'profiler', 'preload.js'));
    env.FIBERSCOPE_PROFILE = profileFile;
    env.FIBERSCOPE_PROFILE_INTERVAL_US = String(intervalUs);
  }
  if (watch !== undefined) {
    preloads.push('-r', path.join(__dirname, '..', 'diagnostics', 'preload.js'));
    env.FIBERSCOPE_WATCH = watch.join(',');
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

/**
 * `fiberscope run app.js --profile x.html` hands `--profile` to app.js: said on stderr, with the
 * command that does what was meant. The script's arguments after a `--` of its own are left alone,
 * and so is all of them after `fiberscope run -- app.js`.
 */
function warnOptionsAfterScript(
  options: string[],
  script: string,
  scriptArgs: string[],
  { profiling }: { profiling: boolean },
): void {
  const moved: string[] = [];
  const kept: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < scriptArgs.length; i++) {
    const arg = scriptArgs[i];
    if (arg === '--') {
      kept.push(...scriptArgs.slice(i));
      break;
    }
    const match = /^--([a-z-]+)(=.*)?$/.exec(arg);
    if (match === null || !Object.hasOwn(OPTIONS, match[1])) {
      kept.push(arg);
      continue;
    }
    names.push(`--${match[1]}`);
    moved.push(arg);
    if (match[2] === undefined && i + 1 < scriptArgs.length) moved.push(scriptArgs[++i]);
  }
  if (names.length === 0) return;
  const which =
    names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  const effect = !profiling && names.includes('--profile') ? ' (no profile will be written)' : '';
  const command = ['fiberscope', 'run', ...options, ...moved, script, ...kept].map(shellQuote);
  process.stderr.write(
    `fiberscope: warning: ${which} after the script ${names.length === 1 ? 'goes' : 'go'} to ${script}, not to fiberscope${effect}; fiberscope's options go before the script:\n` +
      `  ${command.join(' ')}\n` +
      `(a -- before the script passes them on to it without this warning)\n`,
  );
}

/** An argument as a POSIX shell reads it back. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}
