// `fiberscope run script.js [args]`: runs a program in a child Node.js with the fiber runtime
// preloaded (fiberscope/register), passing stdio, signals and the exit code through.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './usage-error';

export async function runCommand(args: string[]): Promise<number> {
  const rest = args[0] === '--' ? args.slice(1) : args;
  const [script, ...scriptArgs] = rest;
  if (script === undefined) throw new UsageError('run needs a script to run');
  const scriptPath = path.resolve(script);
  if (!existsSync(scriptPath)) throw new Error(`cannot find the script ${scriptPath}`);
  const register = path.join(__dirname, '..', 'fiber', 'compat', 'register.js');
  const child = spawn(
    process.execPath,
    [...process.execArgv, '-r', register, scriptPath, ...scriptArgs],
    {
      stdio: 'inherit',
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
