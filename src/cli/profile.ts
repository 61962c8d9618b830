// `fiberscope profile --attach host:port | --pid PID [--duration 10s] [--interval 1ms] -o FILE`:
// profiles a running process through the inspector protocol. With the fiberscope runtime in the
// target, its own sampler runs there (every fiber); without it, V8's profiler samples the main
// thread, and a notice says so.

import { connect, isLoopback } from '../inspector/connect';
import { fromCpuProfile } from '../profiler/import/cpuprofile';
import type { Profile } from '../profiler/model';
import { FiberProfile } from '../profiler/profiler';
import { unsupportedProfileFile, writeProfile } from '../profiler/write';
import { parseDuration } from './durations';
import { UsageError } from './usage-error';

export const PROFILE_USAGE = `  profile (--attach HOST:PORT | --pid PID) [--duration 10s] [--interval 1ms] -o FILE
                                Profile a running Node.js process through its inspector (--pid
                                opens it on 127.0.0.1:9229 the way \`node inspect -p\` does) and
                                write FILE (.html, .cpuprofile, .speedscope.json, .pb.gz, .folded).`;

interface Options {
  host: string;
  port: number;
  pid?: number;
  durationMs: number;
  intervalUs: number;
  output: string;
}

function parseArgs(args: string[]): Options {
  let attach: string | undefined;
  let pid: number | undefined;
  let durationMs = 10_000;
  let intervalUs = 1000;
  let output: string | undefined;
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === '--attach') attach = value;
    else if (flag === '--pid') {
      pid = Number(value);
      if (!Number.isInteger(pid) || pid <= 0)
        throw new UsageError(`--pid takes a process id, not "${value}"`);
    } else if (flag === '--duration')
      durationMs = parseDuration(value, 'ms', '--duration', 100, 3_600_000);
    else if (flag === '--interval')
      intervalUs = parseDuration(value, 'us', '--interval', 50, 1_000_000);
    else if (flag === '-o' || flag === '--output') output = value;
    else throw new UsageError(`unknown option ${flag}`);
  }
  if ((attach === undefined) === (pid === undefined)) {
    throw new UsageError('profile needs exactly one of --attach HOST:PORT and --pid PID');
  }
  if (output === undefined) throw new UsageError('profile needs -o FILE');
  const why = unsupportedProfileFile(output);
  if (why !== undefined) throw new UsageError(why);
  if (attach !== undefined) {
    const match = /^(.+):(\d+)$/.exec(attach);
    if (!match) throw new UsageError(`--attach takes HOST:PORT, not "${attach}"`);
    return { host: match[1], port: Number(match[2]), durationMs, intervalUs, output };
  }
  return { host: '127.0.0.1', port: 9229, pid, durationMs, intervalUs, output };
}

/** Waits `ms`, drawing a progress bar on a terminal; rejects if the target goes away. */
function capture(ms: number, gone: Promise<never>): Promise<void> {
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  const draw = () => {
    const done = Math.min(1, (Date.now() - started) / ms);
    const width = 30;
    const filled = Math.round(done * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${((done * ms) / 1000).toFixed(1)}s/${(ms / 1000).toFixed(1)}s`,
    );
  };
  if (!tty) process.stderr.write(`fiberscope: capturing for ${(ms / 1000).toFixed(1)}s\n`);
  const timer = tty ? setInterval(draw, 100) : undefined;
  return Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms)), gone]).finally(
    () => {
      if (timer) {
        clearInterval(timer);
        draw();
        process.stderr.write('\n');
      }
    },
  );
}

const HOOK = "globalThis[Symbol.for('fiberscope.runtime')]";
const SLOT = "globalThis[Symbol.for('fiberscope.remoteProfiler')]";

export async function profileCommand(args: string[]): Promise<number> {
  const options = parseArgs(args);
  if (!isLoopback(options.host)) {
    process.stderr.write(
      `fiberscope: warning: ${options.host} is not a loopback address; the inspector gives full control of the target\n`,
    );
  }
  const client = await connect(options);
  const gone = new Promise<never>((_, reject) =>
    client.on('disconnect', () => reject(new Error('the target went away during the capture'))),
  );
  gone.catch(() => {});
  try {
    const probe = await client.Runtime.evaluate({
      expression: `(() => { const hook = ${HOOK}; if (!hook) return 'none'; ${SLOT} = hook.profiler().startProfiling({ intervalUs: ${options.intervalUs} }); return 'fibers'; })()`,
      returnByValue: true,
    });
    if (probe.exceptionDetails)
      throw new Error(`the target could not start profiling: ${probe.exceptionDetails.text}`);
    let profile: Profile;
    if (probe.result.value === 'fibers') {
      await capture(options.durationMs, gone);
      const stopped = await client.Runtime.evaluate({
        expression: `(() => { const p = ${SLOT}.stop(); ${SLOT} = undefined; return JSON.stringify({ startTimeUs: p.startTimeUs, endTimeUs: p.endTimeUs, intervalUs: p.intervalUs, frames: p.frames, samples: p.samples, threads: p.threads }); })()`,
        returnByValue: true,
      });
      if (stopped.exceptionDetails)
        throw new Error(`the target could not stop profiling: ${stopped.exceptionDetails.text}`);
      profile = JSON.parse(stopped.result.value as string) as Profile;
    } else {
      process.stderr.write(
        "fiberscope: the target has no fiberscope runtime: profiling its main thread with V8's profiler\n",
      );
      await client.Profiler.enable();
      await client.Profiler.setSamplingInterval({ interval: options.intervalUs });
      await client.Profiler.start();
      await capture(options.durationMs, gone);
      const { profile: v8 } = await client.Profiler.stop();
      profile = fromCpuProfile(JSON.stringify(v8));
    }
    writeProfile(new FiberProfile(profile), options.output);
    process.stderr.write(`fiberscope: wrote ${options.output}\n`);
    return 0;
  } finally {
    await client.close().catch(() => {});
  }
}
