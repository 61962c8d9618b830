// Top-level `await` anywhere in an input, the same in the local REPL and in one attached to
// another process (one evaluator core): declarations stay for later inputs, as in Node's REPL.
import type { ChildProcess } from 'node:child_process';
import type { REPLServer } from 'node:repl';
import { afterEach, describe, expect, it } from 'vitest';
import { startInspected } from '../helpers/inspector';
import { attachDriver, type Driver, startDriver } from './driver';

const opened: Array<Driver<REPLServer>> = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const driver of opened.splice(0)) driver.close();
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function local() {
  const driver = startDriver();
  opened.push(driver);
  return driver;
}

async function attached() {
  // The target has the fiberscope runtime, nothing else: what the inputs use, they declare. Its
  // inspector listens before its program runs: the REPL attaches once it has said so.
  const { child, port } = await startInspected(
    new URL('../fixtures/fiberscope-ready.js', import.meta.url),
    { stdout: 'pipe' },
  );
  children.push(child);
  await new Promise((resolve) => child.stdout?.once('data', resolve));
  const driver = await attachDriver(port);
  opened.push(driver);
  expect(driver.server.fibers).toBe(true);
  return driver;
}

const SLEEP =
  'const sleep = (ms, value) => new Promise((resolve) => setTimeout(resolve, ms, value))';

describe.each([
  ['the local REPL', local],
  ['a REPL attached to another process', attached],
])('top-level await in %s', (_, open) => {
  it('works anywhere in the input, its last expression the value', async () => {
    const repl = await open();
    await repl.type(SLEEP);
    expect(await repl.type('const x = await sleep(5, 41); x + 1')).toBe('42');
    expect(await repl.type('x')).toBe('41');
    await repl.type('const ticks = []');
    expect(await repl.type('for (let i = 0; i < 3; i++) { await sleep(1); ticks.push(i) }')).toBe(
      'undefined',
    );
    expect(await repl.type('ticks')).toBe('[ 0, 1, 2 ]');
    expect(await repl.type('if (ticks.length) { await sleep(1) } "after the block";;')).toBe(
      "'after the block'",
    );
    expect(await repl.type('{ total: await sleep(1, 42) }')).toBe('{ total: 42 }');
    // A promise the input evaluates to is awaited, as for any input.
    expect(await repl.type('(await sleep(1, { inner: sleep(1, "inner") })).inner')).toBe("'inner'");
  });

  it('keeps its declarations for later inputs', async () => {
    const repl = await open();
    await repl.type(SLEEP);
    await repl.type(
      'function twice(n) { return 2 * n } class Box { constructor(v) { this.v = v } } let [first, , ...rest] = await sleep(1, [1, 2, 3, 4]); const { b, c: { d = 5 } } = await sleep(1, { b: 10, c: {} }); var v = first',
    );
    expect(await repl.type('twice(rest.length) + new Box(first).v + b + d + v')).toBe('21');
    await repl.type('for await (const tick of [sleep(1, "a"), sleep(1, "b")]) var lastTick = tick');
    expect(await repl.type('lastTick')).toBe("'b'");
  });

  it('continues an incomplete input, and reports syntax and runtime errors', async () => {
    const repl = await open();
    await repl.type(SLEEP);
    await repl.type('const y = await sleep(1,');
    await repl.type('6)');
    expect(await repl.type('y')).toBe('6');
    const syntax = await repl.type('await sleep(1) sleep');
    // Where it is wrong, as Node's REPL shows it.
    expect(syntax).toMatch(
      /^Uncaught SyntaxError: ?\nawait sleep\(1\) sleep\n {15}\^\n\nUnexpected token/,
    );
    expect(await repl.type('await null; notDefined')).toContain(
      'Uncaught ReferenceError: notDefined is not defined',
    );
    expect(await repl.type('await Promise.reject(new Error("rejected"))')).toContain(
      'Uncaught Error: rejected',
    );
    expect(await repl.type('1 + 1')).toBe('2');
  });

  it('is interrupted by SIGINT while it awaits, and the REPL goes on', async () => {
    const repl = await open();
    // The signal comes from the event loop once the input awaits the promise.
    const interrupted = await repl.type(
      'await new Promise(() => setTimeout(() => process.kill(process.pid, "SIGINT")))',
    );
    expect(interrupted).toContain('Uncaught Error: Script execution was interrupted by `SIGINT`');
    expect(await repl.type('"still here"')).toBe("'still here'");
  });
});

describe('the rewrite', () => {
  it('takes an input that ends in a // comment (as called directly, with no newline)', async () => {
    const path = await import('node:path');
    const vm = await import('node:vm');
    const { repoRoot } = await import('../helpers/child');
    const { rewriteTopLevelAwait } = (await import(
      path.join(repoRoot, 'dist', 'repl', 'top-level-await.js')
    )) as { rewriteTopLevelAwait(source: string): string | null };
    const rewritten = rewriteTopLevelAwait('const x = await Promise.resolve(41); x + 1 // c');
    expect(rewritten).not.toBeNull();
    expect(await vm.runInNewContext(rewritten as string)).toEqual({ value: 42 });
  });
});
