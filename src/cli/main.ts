#!/usr/bin/env node
// The `fiberscope` command. Each subcommand lives in a module of its own; this file only
// dispatches, prints usage and turns errors into exit codes.
import { FLAME_USAGE, flameCommand } from './flame';
import { PROFILE_USAGE, profileCommand } from './profile';
import { REPL_USAGE, replCommand } from './repl';
import { RUN_USAGE, runCommand } from './run';
import { STITCH_USAGE, stitchCommand } from './stitch';
import { UsageError } from './usage-error';

const USAGE = `Usage: fiberscope <command> [options]

Commands:
${RUN_USAGE}
${REPL_USAGE}
${PROFILE_USAGE}
${STITCH_USAGE}
${FLAME_USAGE}

Options:
  -h, --help                    Show this help.
  -v, --version                 Show the version.
`;

const COMMAND_USAGE: Record<string, string> = {
  run: RUN_USAGE,
  repl: REPL_USAGE,
  profile: PROFILE_USAGE,
  stitch: STITCH_USAGE,
  flame: FLAME_USAGE,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `fiberscope run --help`: options come before a script, so this is never a script's own.
  if (command !== undefined && Object.hasOwn(COMMAND_USAGE, command)) {
    if (rest[0] === '-h' || rest[0] === '--help') {
      process.stdout.write(`Usage: fiberscope ${COMMAND_USAGE[command].trimStart()}\n`);
      return 0;
    }
  }
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    case '-v':
    case '--version':
      process.stdout.write(`${require('../../package.json').version}\n`);
      return 0;
    case 'run':
      return runCommand(rest);
    case 'profile':
      return profileCommand(rest);
    case 'repl':
      return replCommand(rest);
    case 'stitch':
      return stitchCommand(rest);
    case 'flame':
      return flameCommand(rest);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`fiberscope: ${error.message}\n\n${USAGE}`);
        process.exitCode = 2;
      } else {
        process.stderr.write(
          `fiberscope: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exitCode = 1;
      }
    },
  );
}
