import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Fiber, type FiberFuture, Future } from 'fiberscope';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFixture } from '../helpers/child';

const require = createRequire(import.meta.url);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const registerPath = path.join(repoRoot, 'dist', 'entry', 'register.js');

interface ChildResult {
  code: number | string | null;
  stdout: string;
  stderr: string;
}

function runNode(args: string[], cwd: string): Promise<ChildResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd, timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '' } },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: number | string; signal?: string }) | null;
        resolve({ code: failure ? (failure.code ?? failure.signal ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

type CompatFiber = {
  (fn: (value?: any) => unknown): Fiber;
  yield(value?: unknown): any;
  readonly current: Fiber | undefined;
};
type FutureFn = (...args: any[]) => FiberFuture;
type WithFuture = { future(detach?: boolean): FutureFn };

describe('fiberscope/future', () => {
  const CompatFuture = require('fiberscope/future') as typeof Future;
  const CompatFiber = require('fiberscope/fibers') as CompatFiber;

  it('exports the Future class itself', () => {
    expect(CompatFuture).toBe(Future);
    expect(typeof CompatFuture.wrap).toBe('function');
    expect(new CompatFuture()).toBeInstanceOf(Future);
  });

  it('adds Function.prototype.future: writable, configurable, not enumerable', () => {
    const descriptor = Object.getOwnPropertyDescriptor(Function.prototype, 'future');
    expect(descriptor).toMatchObject({ writable: true, enumerable: false, configurable: true });
    expect(typeof descriptor?.value).toBe('function');
    const keys: string[] = [];
    for (const key in () => 0) keys.push(key);
    expect(keys).toEqual([]);
  });

  it('fn.future() returns a function returning a future that runs fn in a fiber', async () => {
    const context = { factor: 3 };
    function multiply(this: typeof context, x: number) {
      return [x * this.factor, Fiber.current instanceof Fiber];
    }
    const futureFn = (multiply as unknown as WithFuture).future();
    expect(String(futureFn)).toBe(`<<Future ${String(multiply)}.future()>>`);
    const future = futureFn.call(context, 5);
    expect(future).toBeInstanceOf(Future);
    expect(future.isResolved()).toBe(false);
    expect(await future.promise()).toEqual([15, true]);
  });

  it('works with the fibers drop-in the node-fibers way', async () => {
    const log: string[] = [];
    const sleep = CompatFuture.wrap((ms: number, cb: (e: unknown, v?: number) => void) =>
      setTimeout(() => cb(null, ms), ms),
    );
    const done = new Future();
    const paused = new Future();
    const fiber = CompatFiber(() => {
      log.push(`slept ${sleep(3).wait()}`);
      const double = ((x: number) => x * 2) as unknown as WithFuture;
      log.push(`double ${double.future()(21).wait()}`);
      paused.return();
      log.push(`resumed with ${CompatFiber.yield('paused')}`);
      done.return();
    });
    fiber.run();
    await paused.promise();
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['slept 3', 'double 42']);
    expect(fiber.run('go')).toBeUndefined();
    expect(log).toEqual(['slept 3', 'double 42', 'resumed with go']);
    expect(done.isResolved()).toBe(true);
  });

  it('fn.future(true) detaches: an error becomes uncaught', () => {
    const { status, stdout, stderr } = runFixture(
      new URL('./fixtures/future-detached-by-fn.js', import.meta.url),
      { env: { NODE_OPTIONS: '' } },
    );
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toBe('detached false\nuncaught detached\n');
  });
});

describe('fiberscope/register', () => {
  let dir: string;
  // The fiber's Fiber.yield() happens inside a timer's callback chain (the run() that resumed
  // it gets 'yielded'); once it has paused, the second run() resumes it to the end.
  const cjsExpected = [
    'same fibers true function function',
    'started with go',
    'first run gave undefined',
    'slept zzz',
    'square 49',
    'both 4 9',
    'resumed with again',
    'second run gave done',
    'started false',
    '',
  ].join('\n');

  // The apps of test/fiber/fixtures/register, copied to a folder of their own beside a
  // real-looking `fibers` package (its fake-fibers) that must NOT be loaded.
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fiberscope-register-'));
    fs.cpSync(fileURLToPath(new URL('./fixtures/register', import.meta.url)), dir, {
      recursive: true,
    });
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.renameSync(path.join(dir, 'fake-fibers'), path.join(dir, 'node_modules', 'fibers'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('redirects require("fibers"), "fibers/future" and "fibers/fibers" (path given to -r)', async () => {
    const result = await runNode(['-r', registerPath, path.join(dir, 'app.js')], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(cjsExpected);
  });

  it('works as `node -r fiberscope/register` from the package root', async () => {
    const result = await runNode(['-r', 'fiberscope/register', path.join(dir, 'app.js')], repoRoot);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(cjsExpected);
  });

  it('leaves other requests of the fibers package alone', async () => {
    const result = await runNode(['-r', registerPath, path.join(dir, 'other.js')], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('fake other.js function\n');
  });

  it('without it, the fake package is what loads (the test setup is sound)', async () => {
    const result = await runNode([path.join(dir, 'without-register.js')], dir);
    expect(result.stdout).toBe('fake fibers.js fake future.js\n');
  });

  it('redirects `import Fiber from "fibers"` in ES modules', async () => {
    const result = await runNode(['-r', registerPath, path.join(dir, 'app.mjs')], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'in fiber true',
        'run gave undefined',
        'waited promised',
        'future() via future()',
        'resumed with later',
        '',
      ].join('\n'),
    );
  });
});
