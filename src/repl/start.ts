// `start()`: Node's REPL, with every input evaluated inside a fiber (evaluator.ts), the
// fiberscope commands, modules preloaded into the context and a persistent history.
import { createRequire } from 'node:module';
import path from 'node:path';
import repl, { type REPLServer, type ReplOptions } from 'node:repl';
import { hooks } from '../fiber/hooks';
import { type CommandOptions, defineCommands, formatError } from './commands';
import { FiberEvaluator } from './evaluator';
import { defaultHistoryFile } from './history';
import { trimReplFrames } from './report';
import { usesColors } from './terminal';

export interface FiberReplOptions extends ReplOptions, CommandOptions {
  /** Modules to load before the first prompt (`-r`): each one's exports become a variable named
   *  after the module, and their own properties variables too. Loaded inside a fiber. */
  require?: string[];
  /** The history file, for a terminal REPL; `false` for none. Default
   *  `$FIBERSCOPE_REPL_HISTORY`, else `~/.fiberscope_repl_history`. */
  historyFile?: string | false;
}

export interface FiberREPLServer extends REPLServer {
  /** Runs the inputs; holds the last error. */
  readonly fiberEvaluator: FiberEvaluator;
}

const OWN_OPTIONS = ['require', 'historyFile', 'profileDir'] as const;
let openRepls = 0;

/** A variable name for a module: its file name, or its folder's for an index file. */
function variableName(file: string): string {
  let base = path.basename(file).replace(/\.(c|m)?(j|t)s$/, '');
  if (base === 'index') base = path.basename(path.dirname(file));
  const name = base.replace(/[^A-Za-z0-9_$]+(.)?/g, (_, next: string | undefined) =>
    next ? next.toUpperCase() : '',
  );
  return /^[0-9]/.test(name) ? `_${name}` : name || '_module';
}

/** Starts a REPL whose inputs run in fibers. Options are Node's `repl.start()` ones, plus
 *  `require`, `historyFile` and `profileDir`. */
export function start(options: FiberReplOptions | string = {}): FiberREPLServer {
  const given: FiberReplOptions =
    typeof options === 'string' ? { prompt: options } : { ...options };
  const own = Object.fromEntries(OWN_OPTIONS.map((key) => [key, given[key]])) as Pick<
    FiberReplOptions,
    (typeof OWN_OPTIONS)[number]
  >;
  for (const key of OWN_OPTIONS) delete given[key];
  if (given.eval !== undefined)
    throw new TypeError('The "eval" option is not supported: inputs run in fibers');
  const preloads = own.require ?? [];
  if (!Array.isArray(preloads) || preloads.some((spec) => typeof spec !== 'string')) {
    throw new TypeError('Expected the "require" option to be an array of module names');
  }
  const server = repl.start({
    prompt: 'fiberscope> ',
    useGlobal: true,
    ...given,
    // Ctrl-C is the fiber evaluator's (interrupt.ts): Node's watchdog would terminate whatever
    // JavaScript the main thread runs while an input's fiber waits.
    breakEvalOnSigint: false,
  }) as FiberREPLServer;
  // Errors print without the REPL's machinery frames.
  const mutable = server as unknown as {
    writer: ((value: unknown) => string) & { options?: object };
  };
  const writer = mutable.writer;
  mutable.writer = Object.assign(
    (value: unknown) => {
      if (value instanceof Error) trimReplFrames(value);
      return writer.call(server, value);
    },
    { options: writer.options },
  );
  const evaluator = new FiberEvaluator(server);
  Object.defineProperty(server, 'fiberEvaluator', { value: evaluator });
  defineCommands(server, evaluator, own);
  const color = usesColors(server);

  // `.fibers` shows where each fiber waits: recorded while a REPL is open.
  openRepls++;
  hooks.suspensionSites = true;
  server.once('exit', () => {
    if (--openRepls === 0) hooks.suspensionSites = false;
  });

  if (server.terminal && own.historyFile !== false) {
    const file = own.historyFile ?? defaultHistoryFile();
    server.setupHistory(file, (error) => {
      if (error) server.output.write(`Cannot use the history file ${file}: ${error.message}\n`);
    });
  }

  const requireFromCwd = createRequire(path.join(process.cwd(), 'noop.js'));
  for (const spec of preloads) {
    let file: string;
    try {
      file = requireFromCwd.resolve(spec);
    } catch {
      server.output.write(`Cannot find the module ${spec} from ${process.cwd()}\n`);
      continue;
    }
    const code = `(() => { try { return require(${JSON.stringify(file)}); } catch (error) { if (error.code === 'ERR_REQUIRE_ESM') return import(${JSON.stringify(require('node:url').pathToFileURL(file).href)}); throw error; } })()`;
    evaluator.run(code, (error, exported) => {
      if (error !== null) {
        server.output.write(`Cannot load ${spec}:\n${formatError(error, color)}\n`);
      } else {
        const names = exposeModule(server.context, variableName(file), exported);
        server.output.write(`Loaded ${spec}: ${names.join(', ')}\n`);
      }
      server.displayPrompt(true);
    });
  }
  return server;
}

/** Makes a module's exports variables of the context; returns the names given. */
function exposeModule(context: Record<string, unknown>, name: string, exported: unknown): string[] {
  const names = [name];
  context[name] = exported;
  if (exported !== null && typeof exported === 'object') {
    for (const key of Object.keys(exported)) {
      if (key === 'default' || key in context) continue;
      context[key] = (exported as Record<string, unknown>)[key];
      names.push(key);
    }
  }
  return names;
}
