// `fiberscope dump (--attach HOST:PORT | --pid PID) [--json] [-o FILE]`: every live fiber of a
// running process, through its inspector, grouped by identical traces. The target's fiberscope
// runtime takes the dump (src/diagnostics/remote.ts), busy or not: the inspector serves the
// request inside running JavaScript too.
import { writeFileSync } from 'node:fs';
import { formatFiberDump } from '../diagnostics/format';
import type { FiberDump } from '../diagnostics/model';
import { connect, isContextGone } from '../inspector/connect';
import { callRuntime, NO_RUNTIME } from '../inspector/runtime';
import { colorsByDefault } from '../util/ansi';
import { noPositionals, parseCommandArgs } from './args';
import { parseDuration } from './durations';
import { assertWritable } from './output-file';
import { parseTarget, TARGET_OPTIONS } from './target';

export const DUMP_USAGE = `  dump (--attach HOST:PORT | --pid PID) [--json] [-o FILE] [--timeout 10s]
                                Print every live fiber of a running process: state, age, time
                                in that state, where it waits (source-mapped) and its spawn
                                chain, fibers with identical traces grouped, largest group
                                first; and the code holding the thread, if any. --json: one
                                JSON document (docs/api/fiber-dump.schema.json).`;

/** How long the target has to answer before the wait is said to be long. */
const SLOW_MS = 1000;

export async function dumpCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('dump', args, {
    ...TARGET_OPTIONS,
    json: { type: 'boolean' },
    output: { type: 'string', short: 'o' },
    timeout: { type: 'string' },
  });
  noPositionals('dump', positionals);
  const target = parseTarget('dump', values);
  const timeoutMs =
    values.timeout === undefined
      ? 10_000
      : parseDuration(values.timeout, 'ms', '--timeout', 100, 600_000);
  if (values.output !== undefined) assertWritable(values.output);

  const client = await connect(target);
  const where = target.pid === undefined ? `${target.host}:${target.port}` : `pid ${target.pid}`;
  process.stderr.write(`fiberscope: dumping the fibers of ${where}\n`);
  let timer: NodeJS.Timeout | undefined;
  const slow = setTimeout(() => {
    process.stderr.write(
      `fiberscope: no answer yet; waiting up to ${(timeoutMs / 1000).toFixed(1)}s in all\n`,
    );
  }, SLOW_MS);
  try {
    const gone = new Promise<never>((_, reject) =>
      client.on('disconnect', () => reject(new Error('the target went away before answering'))),
    );
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `the target did not answer within ${(timeoutMs / 1000).toFixed(1)}s: its main thread is blocked outside JavaScript (in a synchronous call into native code: execSync(), a native addon), where the inspector cannot interrupt it`,
            ),
          ),
        timeoutMs,
      );
    });
    let answer: unknown;
    try {
      answer = await Promise.race([callRuntime(client, 'diagnostics', 'dump'), gone, late]);
    } catch (error) {
      if (isContextGone(error)) throw new Error('the target went away before answering');
      throw error;
    }
    if (answer === NO_RUNTIME) {
      throw new Error(
        `${where} has no fiberscope runtime (or one without fiberscope/diagnostics): no fibers to dump`,
      );
    }
    const dump = JSON.parse(answer as string) as FiberDump;
    const toFile = values.output !== undefined;
    const text = values.json
      ? JSON.stringify(dump)
      : formatFiberDump(dump, { color: !toFile && colorsByDefault(process.stdout) });
    if (toFile) {
      try {
        writeFileSync(values.output as string, `${text}\n`);
      } catch (error) {
        throw new Error(`cannot write ${values.output}: ${(error as Error).message}`);
      }
      process.stderr.write(`fiberscope: wrote ${values.output}\n`);
    } else {
      process.stdout.write(`${text}\n`);
    }
    if (dump.busy !== null) {
      const who = dump.busy.fiberId === null ? 'the main thread' : `fiber #${dump.busy.fiberId}`;
      process.stderr.write(
        `fiberscope: ${who} was running JavaScript without yielding during the dump (its stack is in the dump)\n`,
      );
    }
    return 0;
  } finally {
    clearTimeout(slow);
    clearTimeout(timer);
    await client.close().catch(() => {});
  }
}
