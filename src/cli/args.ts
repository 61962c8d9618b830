// The argument layer of every `fiberscope` command, on node:util's parseArgs: the same wording
// for each kind of mistake, `-h`/`--help` among any command's options, and `--` ending them.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { HelpRequested, UsageError } from './usage-error';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** The options' values, typed from their specs as parseArgs types them in strict mode. */
export type Values<T extends OptionSpecs> = ReturnType<
  typeof parseArgs<{ options: T; strict: true; allowPositionals: true }>
>['values'];

export interface Parsed<T extends OptionSpecs> {
  values: Values<T>;
  /** The arguments that are not options: those among the options, then all after them. */
  positionals: string[];
  /** A `--` ended the options. */
  terminated: boolean;
  /** Of the named options, the one given last (`--color` or `--no-color`). */
  last<N extends keyof T & string>(...names: N[]): N | undefined;
}

/**
 * Parses a command's arguments. With `stopAtPositional` the options end at the first argument
 * that is not one (`run`'s script: what follows is the script's own). Throws a UsageError for an
 * unknown option, an option with no value or one with a value it does not take, and
 * HelpRequested for `-h`/`--help` among the options.
 */
export function parseCommandArgs<T extends OptionSpecs>(
  command: string,
  args: string[],
  options: T,
  { stopAtPositional = false } = {},
): Parsed<T> {
  const { tokens } = parseArgs({
    args,
    options: { ...options, help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  let end = args.length;
  let terminated = false;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') {
      end = token.index;
      terminated = true;
      break;
    }
    if (token.kind === 'positional' && stopAtPositional) {
      end = token.index;
      break;
    }
  }
  const own = tokens.filter((token) => token.index < end);
  if (own.some((token) => token.kind === 'option' && token.name === 'help')) {
    throw new HelpRequested();
  }
  for (const token of own) {
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (spec === undefined) {
      const near = nearest(token.rawName, options);
      throw new UsageError(
        `unknown option "${token.rawName}" for ${command}${near ? ` (did you mean ${near}?)` : ''}`,
      );
    }
    // An option's value that looks like an option (`-o --title x`) is taken for a missing value;
    // `--title=-x` gives such a value.
    const looksLikeOption = token.inlineValue === false && /^-./.test(token.value as string);
    if (spec.type === 'string' && (token.value === undefined || looksLikeOption)) {
      throw new UsageError(`${token.rawName} needs a value`);
    }
    if (spec.type === 'boolean' && token.value !== undefined) {
      throw new UsageError(`${token.rawName} takes no value`);
    }
  }
  const { values, positionals } = parseArgs({
    args: args.slice(0, end),
    options,
    strict: false,
    allowPositionals: true,
  });
  return {
    values: values as Values<T>,
    positionals: [...positionals, ...args.slice(terminated ? end + 1 : end)],
    terminated,
    last: (...names) => {
      let found: (typeof names)[number] | undefined;
      for (const token of own) {
        if (token.kind === 'option' && (names as string[]).includes(token.name)) {
          found = token.name as (typeof names)[number];
        }
      }
      return found;
    },
  };
}

/** A command that takes no arguments besides its options. */
export function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}" for ${command}`);
  }
}

/** The option a mistyped one most likely meant: a prefix of it, or one or two letters off. */
function nearest(rawName: string, options: OptionSpecs): string | undefined {
  if (!rawName.startsWith('--')) return undefined;
  const typed = rawName.slice(2).replace(/=.*/, '');
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of Object.keys(options)) {
    if (name.length < 2) continue;
    const distance = name.startsWith(typed) && typed.length >= 3 ? 1 : editDistance(typed, name);
    if (distance < bestDistance) {
      best = `--${name}`;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
