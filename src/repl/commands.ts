// The REPL's own commands, next to Node's: .fibers, .stack and .profile.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { REPLServer } from 'node:repl';
import { inspect } from 'node:util';
import { liveFibers } from '../fiber/live';
import { startProfiling } from '../profiler/profiler';
import { formatStitched } from '../stitch/format';
import { stitch } from '../stitch/stitch';
import type { FiberEvaluator } from './evaluator';
import { formatFibers, formatTopFunctions, trimReplFrames } from './report';
import { usesColors } from './terminal';

export interface CommandOptions {
  /** Where `.profile` writes its flame graphs. Default: the OS's temporary folder. */
  profileDir?: string;
}

/** The last error as a stitched trace (or as whatever was thrown, if it is no error). */
export function formatError(error: unknown, color: boolean): string {
  trimReplFrames(error);
  const stitched = stitch(error);
  if (stitched === undefined) return `Uncaught ${inspect(error, { colors: color })}`;
  return formatStitched(stitched, { color });
}

export function defineCommands(
  server: REPLServer,
  evaluator: FiberEvaluator,
  options: CommandOptions,
): void {
  const color = usesColors(server);
  const print = (text: string) => server.output.write(`${text}\n`);

  server.defineCommand('fibers', {
    help: 'List live fibers: id, name, state, age and where each one is suspended',
    action() {
      this.clearBufferedCommand();
      print(formatFibers(liveFibers({ probe: true }), color));
      this.displayPrompt();
    },
  });

  server.defineCommand('stack', {
    help: 'Print the stitched stack trace of the last error',
    action() {
      this.clearBufferedCommand();
      print(
        evaluator.lastError === undefined
          ? 'No error yet.'
          : formatError(evaluator.lastError, color),
      );
      this.displayPrompt();
    },
  });

  server.defineCommand('profile', {
    help: 'Run an expression under the profiler: top functions per fiber, and an HTML flame graph',
    action(expression: string) {
      this.clearBufferedCommand();
      if (expression.trim() === '') {
        print('Usage: .profile <expression>');
        this.displayPrompt();
        return;
      }
      let profiler: ReturnType<typeof startProfiling>;
      try {
        profiler = startProfiling();
      } catch (error) {
        print(`Cannot profile: ${(error as Error).message}`);
        this.displayPrompt();
        return;
      }
      evaluator.run(expression, (error, result) => {
        const profile = profiler.stop();
        if (error !== null) print(formatError(error, color));
        else print(inspect(result, { colors: color }));
        print(formatTopFunctions(profile));
        const file = path.join(
          options.profileDir ?? os.tmpdir(),
          `fiberscope-profile-${new Date().toISOString().replace(/[:.]/g, '-')}.html`,
        );
        try {
          writeFileSync(file, profile.toHtml({ title: expression.trim().slice(0, 80) }));
          print(`Flame graph: ${file}`);
        } catch (writeError) {
          print(`Cannot write the flame graph: ${(writeError as Error).message}`);
        }
        this.displayPrompt();
      });
    },
  });
}
