// watchFibers() and `fiberscope run --watch`: a fiber stuck in a wait, a fiber and the main
// thread hogging the thread, each reported with its file and line, and again when it ends.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runFixture } from '../helpers/child';
import { cli, scratchDir } from '../helpers/cli';
import { lineOf } from './server';

const watchJs = fileURLToPath(new URL('./fixtures/watch.js', import.meta.url));
const stuckLine = lineOf(watchJs, 'watch.js: stuck waits');
const hogLine = lineOf(watchJs, 'watch.js: hog spins');
const scratch = scratchDir('watch');

interface LogLine {
  msg: string;
  fiberscope: { event: string; ms: number };
  fiber?: { id: number; name: string };
  err?: {
    type: string;
    stack: string;
    segments: Array<{
      kind: string;
      frames: Array<{ functionName: string; file: string; line: number }>;
    }>;
  };
}

describe('watchFibers()', () => {
  it('logs a stuck fiber and the code that hogs the thread to pino, where they are, and when they end', () => {
    const child = runFixture(watchJs, { args: ['pino'] });
    expect(child.stderr).toBe('done\n');
    const lines = child.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LogLine);
    expect(lines.map((line) => [line.fiberscope.event, line.fiber?.name])).toEqual([
      ['waiting', 'GET /stuck'],
      ['resumed', 'GET /stuck'],
      ['busy', 'hog'],
      ['yielded', 'hog'],
      ['busy', undefined],
      ['yielded', undefined],
    ]);
    const [waiting, resumed, hog, hogYielded, main, mainYielded] = lines;

    expect(waiting.msg).toMatch(/^fiber #1 "GET \/stuck" has been waiting for \d+ms$/);
    expect(waiting.fiberscope.ms).toBeGreaterThanOrEqual(300);
    expect(waiting.err?.type).toBe('FiberWatchdogReport');
    const waitSegment = waiting.err?.segments.find((segment) => segment.kind === 'wait');
    expect(waitSegment?.frames[0]).toMatchObject({
      functionName: 'stuckQuery',
      file: watchJs,
      line: stuckLine,
    });
    expect(waiting.err?.segments.map((segment) => segment.kind)).toContain('spawn');
    expect(resumed.msg).toMatch(/^fiber #1 "GET \/stuck" resumed after waiting \d+ms$/);
    expect(resumed.fiberscope.ms).toBeGreaterThanOrEqual(880);

    // Taken while the code ran: its stack is the loop's.
    expect(hog.msg).toMatch(
      /^fiber #2 "hog" has been running JavaScript for \d+ms without yielding: the event loop and every other fiber wait$/,
    );
    expect(hog.err?.stack).toContain(`    at spinHard (${watchJs}:${hogLine}:`);
    expect(hog.err?.stack).toContain('--- fiber #2 "hog" was spawned here ---');
    expect(hogYielded.msg).toMatch(
      /^fiber #2 "hog" let the event loop run again after running JavaScript for \d+ms$/,
    );
    expect(hogYielded.fiberscope.ms).toBeGreaterThanOrEqual(880);

    expect(main.msg).toMatch(/^the main thread has been running JavaScript for \d+ms/);
    expect(main.err?.stack).toContain(`    at spinHard (${watchJs}:${hogLine}:`);
    expect(mainYielded.fiberscope.ms).toBeGreaterThanOrEqual(880);

    // fiberscope stitch reads the reports as it reads any logged error.
    const logFile = scratch.file('watch.ndjson', child.stdout);
    const stitched = spawnSync(process.execPath, [cli, 'stitch', logFile], { encoding: 'utf8' });
    expect(stitched.status).toBe(0);
    expect(stitched.stdout).toContain(
      `FiberWatchdogReport: fiber #1 "GET /stuck" has been waiting for`,
    );
    expect(stitched.stdout).toContain(`    at stuckQuery (${watchJs}:${stuckLine}:`);
  });

  it('without a logger, warns through process.emitWarning()', () => {
    const child = runFixture(watchJs, { args: ['warning'] });
    expect(child.status).toBe(0);
    const warnings = child.stderr;
    expect(warnings).toMatch(
      /^\(node:\d+\) \[FIBERSCOPE_FIBER_WAITING\] FiberWatchdogWarning: fiber #1 "GET \/stuck" has been waiting for \d+ms$/m,
    );
    expect(warnings).toContain(`    at stuckQuery (${watchJs}:${stuckLine}:`);
    expect(warnings).toMatch(
      /\[FIBERSCOPE_FIBER_RESUMED\] FiberWatchdogWarning: fiber #1 "GET \/stuck" resumed after waiting \d+ms$/m,
    );
    expect(warnings).toMatch(
      /\[FIBERSCOPE_THREAD_BUSY\] FiberWatchdogWarning: fiber #2 "hog" has been running JavaScript/,
    );
    expect(warnings).toMatch(
      /\[FIBERSCOPE_THREAD_BUSY\] FiberWatchdogWarning: the main thread has been running JavaScript/,
    );
    expect(warnings.match(/\[FIBERSCOPE_THREAD_YIELDED\]/g)).toHaveLength(2);
    expect(warnings.split(`    at spinHard (${watchJs}:${hogLine}:`)).toHaveLength(3);
  });
});

describe('fiberscope run --watch', () => {
  it('watches a whole program, its reports as warnings', () => {
    const child = spawnSync(
      process.execPath,
      [cli, 'run', '--watch', '300ms,300ms', watchJs, 'run'],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(child.status).toBe(0);
    expect(child.stderr).toMatch(
      /\[FIBERSCOPE_FIBER_WAITING\] FiberWatchdogWarning: fiber #1 "GET \/stuck" has been waiting for \d+ms$/m,
    );
    expect(child.stderr).toContain(`    at stuckQuery (${watchJs}:${stuckLine}:`);
    expect(child.stderr).toContain(`    at spinHard (${watchJs}:${hogLine}:`);
    expect(child.stderr.match(/\[FIBERSCOPE_THREAD_YIELDED\]/g)).toHaveLength(2);
  });

  it('needs two durations with units', () => {
    for (const [value, message] of [
      ['5s', '--watch takes WAITING,RUNNING, two durations like 5s,200ms, not "5s"'],
      ['5,200ms', '--watch (waiting) needs a unit (us, ms or s)'],
    ]) {
      const child = spawnSync(process.execPath, [cli, 'run', '--watch', value, watchJs], {
        encoding: 'utf8',
      });
      expect(child.status).toBe(2);
      expect(child.stderr).toContain(`fiberscope: ${message}`);
    }
  });
});

describe('fiberscope/diagnostics', () => {
  it('refuses options it cannot use', () => {
    const child = runFixture(new URL('./fixtures/bad-options.js', import.meta.url));
    expect(child.stderr).toBe('');
    expect(child.stdout.trim().split('\n')).toEqual([
      'RangeError: SIGUSR1 cannot be used for fiber dumps',
      'TypeError: Expected the "to" option to be a writable stream or a file path',
      'TypeError: Expected the options to be an object',
      'RangeError: Expected the "waitingLongerThan" option to be a positive number of milliseconds',
      'RangeError: Expected the "runningLongerThan" option to be a positive number of milliseconds',
      'TypeError: Expected the "logger" option to have a warn() method (a pino logger)',
      'TypeError: Unknown option "every"',
    ]);
  });
});
