#!/usr/bin/env node
// The `fiberscope` command. Each subcommand lives in a module of its own; this file only
// dispatches, prints usage and turns errors into exit codes.
import { DUMP_USAGE, dumpCommand } from './dump';
import { FLAME_USAGE, flameCommand } from './flame';
import { PROFILE_USAGE, profileCommand } from './profile';
import { REPL_USAGE, replCommand } from './repl';
import { RUN_USAGE, runCommand } from './run';
import { STITCH_USAGE, stitchCommand } from './stitch';
import { HelpRequested, UsageError } from './usage-error';

const USAGE = `Usage: fiberscope <command> [options]

Commands:
${RUN_USAGE}
${REPL_USAGE}
${PROFILE_USAGE}
${DUMP_USAGE}
${STITCH_USAGE}
${FLAME_USAGE}

Options:
  -h, --help                    Show this help.
  -v, --version                 Show the version.
`;

const COMMANDS: Record<string, { usage: string; run(args: string[]): Promise<number> }> = {
  run: { usage: RUN_USAGE, run: runCommand },
  repl: { usage: REPL_USAGE, run: replCommand },
  profile: { usage: PROFILE_USAGE, run: profileCommand },
  dump: { usage: DUMP_USAGE, run: dumpCommand },
  stitch: { usage: STITCH_USAGE, run: stitchCommand },
  flame: { usage: FLAME_USAGE, run: flameCommand },
};

/** A command's own usage, as `fiberscope <command> --help` and its usage errors print it: the
 *  synopsis, then the description out of the column it has in the whole usage. */
function usageOf(command: string): string {
  const [synopsis, ...description] = COMMANDS[command].usage.split('\n');
  const text = description.map((line) => `  ${line.trimStart()}`).join('\n');
  return `Usage: fiberscope ${synopsis.trimStart()}\n\n${text}\n`;
}

/** Runs `fiberscope ...argv`; resolves with the exit code, having reported any failure. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || ['-h', '--help', 'help'].includes(command)) {
    process.stdout.write(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`${require('../../package.json').version}\n`);
    return 0;
  }
  const known = Object.hasOwn(COMMANDS, command);
  try {
    if (!known) throw new UsageError(`unknown command "${command}"`);
    return await COMMANDS[command].run(rest);
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(usageOf(command));
      return 0;
    }
    if (error instanceof UsageError) {
      // The usage of the command that was called; the whole usage when there is none.
      process.stderr.write(`fiberscope: ${error.message}\n\n${known ? usageOf(command) : USAGE}`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    // The fiber runtime's load error names fiberscope already.
    process.stderr.write(`${message.startsWith('fiberscope: ') ? '' : 'fiberscope: '}${message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
