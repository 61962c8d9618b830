// `fiberscope repl [-r module]... [--attach HOST:PORT] [--history FILE | --no-history]`: the fiber
// REPL, local or attached to a running process.
import type { REPLServer } from 'node:repl';
import { parseHostPort } from './address';
import { noPositionals, parseCommandArgs } from './args';
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

function parseOptions(args: string[]): Options {
  const { values, positionals, last } = parseCommandArgs('repl', args, {
    require: { type: 'string', short: 'r', multiple: true },
    attach: { type: 'string' },
    history: { type: 'string' },
    'no-history': { type: 'boolean' },
  });
  noPositionals('repl', positionals);
  const options: Options = { require: values.require ?? [] };
  if (values.attach !== undefined) options.attach = parseHostPort(values.attach);
  // The last of --history and --no-history wins.
  const history = last('history', 'no-history');
  if (history === 'no-history') options.historyFile = false;
  else if (history === 'history') options.historyFile = values.history;
  if (options.attach !== undefined && options.require.length > 0) {
    throw new UsageError('-r loads modules into a local REPL; it cannot be used with --attach');
  }
  return options;
}

export async function replCommand(args: string[]): Promise<number> {
  const options = parseOptions(args);
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
