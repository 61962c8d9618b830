// `fiberscope repl [-r module]... [--attach HOST:PORT] [--history FILE | --no-history]`: the fiber
// REPL, local or attached to a running process.
import type { REPLServer } from 'node:repl';
import { parseHostPort } from './address';
import { UsageError } from './usage-error';

export const REPL_USAGE = `  repl [-r MODULE]... [--attach HOST:PORT] [--history FILE | --no-history]
                                A REPL whose inputs run inside fibers: wait(), sync() functions
                                and fiber-style APIs return values at the prompt. -r loads a
                                module and makes its exports variables. --attach evaluates in a
                                process started with --inspect instead. Commands: .fibers,
                                .stack, .profile EXPR (and Node's own: .help).`;

interface Options {
  require: string[];
  attach?: { host: string; port: number };
  historyFile?: string | false;
}

function parseArgs(args: string[]): Options {
  const options: Options = { require: [] };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--no-history') {
      options.historyFile = false;
      continue;
    }
    const value = args[i + 1];
    if (!['-r', '--require', '--attach', '--history'].includes(flag)) {
      throw new UsageError(`unknown option ${flag}`);
    }
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    i++;
    if (flag === '--attach') options.attach = parseHostPort(value);
    else if (flag === '--history') options.historyFile = value;
    else options.require.push(value);
  }
  if (options.attach !== undefined && options.require.length > 0) {
    throw new UsageError('-r loads modules into a local REPL; it cannot be used with --attach');
  }
  return options;
}

export async function replCommand(args: string[]): Promise<number> {
  const options = parseArgs(args);
  let server: REPLServer;
  if (options.attach !== undefined) {
    const { attach } = await import('../repl/attach');
    const attached = await attach({ ...options.attach, historyFile: options.historyFile });
    return exitCode(attached, () => (attached.targetGone ? 1 : 0));
  }
  // require('fibers') at the prompt loads fiberscope's drop-in, as under `fiberscope run`.
  require('../entry/register');
  const { start } = await import('../repl/start');
  const fiberscope = await import('../entry/index');
  server = start({ require: options.require, historyFile: options.historyFile });
  // The fiber API is at hand at the prompt.
  for (const name of ['Fiber', 'Future', 'wait', 'sync', 'spawn'] as const) {
    if (!(name in server.context)) server.context[name] = fiberscope[name];
  }
  const evaluator = (server as import('../repl/start').FiberREPLServer).fiberEvaluator;
  return exitCode(
    server,
    () => 0,
    () => evaluator.idle(),
  );
}

/** Resolves once the REPL has exited and its history is written; timers or servers started at
 *  the prompt do not keep the process alive after that, as in Node's REPL. */
function exitCode(
  server: REPLServer,
  code: () => number,
  idle: () => Promise<void> = async () => {},
): Promise<number> {
  return new Promise((resolve) => {
    server.on('exit', () => {
      const done = () => {
        const exitCode = code();
        resolve(exitCode);
        setImmediate(() => process.exit(exitCode));
      };
      // Piped input can end while its last input still waits: that input finishes first.
      idle().then(() => {
        if ((server as { _flushing?: boolean })._flushing) server.once('flushHistory', done);
        else done();
      });
    });
  });
}
