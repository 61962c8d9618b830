// `fiberscope profile --attach host:port | --pid PID [--duration 10s] [--interval 1ms] -o FILE`:
// profiles a running process through the inspector protocol. With the fiberscope runtime in the
// target, its own sampler runs there (every fiber); without it, V8's profiler samples the main
// thread, and a notice says so.
import { connect, isContextGone, RUNTIME_HOOK } from '../inspector/connect';
import { assembleProfile, chunkOfProfile, type ProfileChunk } from '../profiler/chunk';
import { fromCpuProfile } from '../profiler/import/cpuprofile';
import { FiberProfile } from '../profiler/profiler';
import { unsupportedProfileFile, writeProfile } from '../profiler/write';
import { noPositionals, parseCommandArgs } from './args';
import { parseDuration } from './durations';
import { assertWritable } from './output-file';
import { parseTarget, TARGET_OPTIONS } from './target';
import { UsageError } from './usage-error';

export const PROFILE_USAGE = `  profile (--attach HOST:PORT | --pid PID) [--duration 10s] [--interval 1ms] -o FILE
                                Profile a running Node.js process through its inspector (--pid
                                opens it on 127.0.0.1:9229 the way \`node inspect -p\` does) and
                                write FILE (.html, .cpuprofile, .speedscope.json, .pb.gz, .folded).
                                Durations take a unit: 500us (or 500µs), 1ms, 10s.`;

interface Options {
  host: string;
  port: number;
  pid?: number;
  durationMs: number;
  intervalUs: number;
  output: string;
}

function parseOptions(args: string[]): Options {
  const { values, positionals } = parseCommandArgs('profile', args, {
    ...TARGET_OPTIONS,
    duration: { type: 'string' },
    interval: { type: 'string' },
    output: { type: 'string', short: 'o' },
  });
  noPositionals('profile', positionals);
  const { output } = values;
  const durationMs =
    values.duration === undefined
      ? 10_000
      : parseDuration(values.duration, 'ms', '--duration', 100, 3_600_000);
  const intervalUs =
    values.interval === undefined
      ? 1000
      : parseDuration(values.interval, 'us', '--interval', 50, 1_000_000);
  const target = parseTarget('profile', values);
  if (output === undefined) throw new UsageError('profile needs -o FILE');
  const why = unsupportedProfileFile(output);
  if (why !== undefined) throw new UsageError(why);
  return { ...target, durationMs, intervalUs, output };
}

/** Draws a progress bar on a terminal (a line otherwise) until the returned function is called. */
function progress(ms: number): () => void {
  const started = Date.now();
  if (process.stderr.isTTY !== true) {
    process.stderr.write(`fiberscope: capturing for ${(ms / 1000).toFixed(1)}s\n`);
    return () => {};
  }
  const draw = () => {
    const done = Math.min(1, (Date.now() - started) / ms);
    const width = 30;
    const filled = Math.round(done * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${((done * ms) / 1000).toFixed(1)}s/${(ms / 1000).toFixed(1)}s`,
    );
  };
  const timer = setInterval(draw, 100);
  return () => {
    clearInterval(timer);
    draw();
    process.stderr.write('\n');
  };
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());

/** How the target is sampled: chunks pulled while it runs, and the last one, which ends it.
 *  `ended`: the target was found gone, and this chunk is the last there is. */
interface Pulled {
  chunk: ProfileChunk;
  ended?: boolean;
}
interface Source {
  pull(): Promise<Pulled>;
  finish(): Promise<Pulled>;
}

/**
 * Pulls a chunk every `everyMs` (one call at a time) for `ms`, then the last one. If the target
 * goes away, returns the chunks pulled so far and `lost`.
 */
async function captureChunks(
  ms: number,
  everyMs: number,
  source: Source,
  gone: Promise<never>,
): Promise<{ chunks: ProfileChunk[]; lost?: Error }> {
  const chunks: ProfileChunk[] = [];
  const deadline = Date.now() + ms;
  const done = progress(ms);
  try {
    for (;;) {
      await Promise.race([sleep(Math.min(everyMs, deadline - Date.now())), gone]);
      if (Date.now() >= deadline) break;
      const pulled = await Promise.race([source.pull(), gone]);
      chunks.push(pulled.chunk);
      if (pulled.ended) return { chunks, lost: GONE };
    }
    const last = await Promise.race([source.finish(), gone]);
    chunks.push(last.chunk);
    return last.ended ? { chunks, lost: GONE } : { chunks };
  } catch (error) {
    if (error !== GONE && !isContextGone(error)) throw error;
    return { chunks, lost: GONE };
  } finally {
    done();
  }
}

const SLOT = "globalThis[Symbol.for('fiberscope.remoteProfiler')]";
const GONE = new Error('the target went away during the capture');
/** How often chunks are pulled from the fiberscope runtime. */
const PULL_MS = 1000;
/** How long each cycle of V8's profiler runs; the gaps between cycles are not sampled. */
const V8_CYCLE_MS = 2000;

type Client = Awaited<ReturnType<typeof connect>>;

async function evaluateJson(client: Client, expression: string, what: string): Promise<unknown> {
  const { result, exceptionDetails } = await client.Runtime.evaluate({
    expression,
    returnByValue: true,
  });
  if (exceptionDetails) {
    const message = exceptionDetails.exception?.description ?? exceptionDetails.text;
    throw new Error(`the target could not ${what}: ${message}`);
  }
  return JSON.parse(result.value as string);
}

/** The fiberscope runtime's profiler in the target: every fiber, chunks source-mapped there. */
function fiberSource(client: Client): Source {
  return {
    pull: async () => ({
      chunk: (await evaluateJson(
        client,
        `JSON.stringify(${SLOT}.takeChunk())`,
        'hand out its samples',
      )) as ProfileChunk,
    }),
    finish: async () => ({
      chunk: (await evaluateJson(
        client,
        `(() => { const chunk = ${SLOT}.stopChunk(); ${SLOT} = undefined; return JSON.stringify(chunk); })()`,
        'stop profiling',
      )) as ProfileChunk,
    }),
  };
}

/** V8's profiler, main thread only: stopped and restarted every cycle, each cycle a chunk. */
function v8Source(client: Client): Source {
  const known = { frames: new Map<string, number>(), stacks: new Map<string, number>() };
  const chunkOf = (profile: unknown) =>
    chunkOfProfile(fromCpuProfile(JSON.stringify(profile)), known);
  // The profiler goes on answering for a target that has ended: its context is asked first, and
  // the cycle it was in is kept either way.
  const alive = () =>
    client.Runtime.evaluate({ expression: '0' }).then(
      () => true,
      (error: unknown) => {
        if (isContextGone(error)) return false;
        throw error;
      },
    );
  return {
    // Sent together, so that the target restarts at once: only the time between the two
    // messages goes unsampled.
    pull: async () => {
      if (!(await alive()))
        return { chunk: chunkOf((await client.Profiler.stop()).profile), ended: true };
      const [{ profile }] = await Promise.all([client.Profiler.stop(), client.Profiler.start()]);
      return { chunk: chunkOf(profile) };
    },
    finish: async () => {
      const ended = !(await alive());
      return { chunk: chunkOf((await client.Profiler.stop()).profile), ended };
    },
  };
}

export async function profileCommand(args: string[]): Promise<number> {
  const options = parseOptions(args);
  assertWritable(options.output);
  const client = await connect(options);
  // The Runtime domain stays off (it would send every console call of the target here): a
  // target that exits with the connection open is seen when a call finds its context gone.
  const gone = new Promise<never>((_, reject) => client.on('disconnect', () => reject(GONE)));
  gone.catch(() => {});
  try {
    const probe = await client.Runtime.evaluate({
      expression: `(() => { const hook = ${RUNTIME_HOOK}; if (!hook) return 'none'; ${SLOT} = hook.profiler().startProfiling({ intervalUs: ${options.intervalUs} }); return 'fibers'; })()`,
      returnByValue: true,
    });
    if (probe.exceptionDetails)
      throw new Error(`the target could not start profiling: ${probe.exceptionDetails.text}`);
    let captured: Awaited<ReturnType<typeof captureChunks>>;
    if (probe.result.value === 'fibers') {
      captured = await captureChunks(options.durationMs, PULL_MS, fiberSource(client), gone);
    } else {
      process.stderr.write(
        "fiberscope: the target has no fiberscope runtime: profiling its main thread with V8's profiler\n",
      );
      await client.Profiler.enable();
      await client.Profiler.setSamplingInterval({ interval: options.intervalUs });
      await client.Profiler.start();
      captured = await captureChunks(options.durationMs, V8_CYCLE_MS, v8Source(client), gone);
    }
    const { chunks, lost } = captured;
    if (chunks.length === 0) {
      throw new Error(`${GONE.message}, before anything was captured: nothing was written`);
    }
    const profile = new FiberProfile(assembleProfile(chunks));
    try {
      writeProfile(profile, options.output);
    } catch (error) {
      throw new Error(`cannot write ${options.output}: ${(error as Error).message}`);
    }
    if (lost === undefined) {
      process.stderr.write(`fiberscope: wrote ${options.output}\n`);
      return 0;
    }
    const seconds = (profile.endTimeUs - profile.startTimeUs) / 1e6;
    process.stderr.write(
      `fiberscope: ${lost.message}: wrote ${options.output}, a partial profile of the first ${seconds.toFixed(1)}s of the requested ${(options.durationMs / 1000).toFixed(1)}s\n`,
    );
    return 1;
  } finally {
    await client.close().catch(() => {});
  }
}
