// Stitched traces of TypeScript compiled with source maps show the .ts files and lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runFixture } from '../helpers/child';

const dir = mkdtempSync(path.join(tmpdir(), 'fiberscope-ts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Line numbers below are asserted: the .js output has different ones (types and comments go).
const source = `// A TypeScript fixture: types and comments shift the compiled lines.
const { spawn, wait } = require(${JSON.stringify(path.join(repoRoot, 'dist', 'entry', 'index.js'))});

interface Order {
  id: number;
  total: number;
}

function failLater(message: string): Promise<Order> {
  return new Promise<Order>((_, reject) => setTimeout(() => reject(new Error(message)), 1));
}

function loadOrder(id: number): Order {
  const order: Order = wait(failLater('order ' + id + ' not found'));
  return order;
}

export function handle(): Promise<Order> {
  return spawn(() => loadOrder(7), { name: 'GET /orders/7' });
}
`;

function compile(name: string, inline: boolean): string {
  const output = ts.transpileModule(source, {
    fileName: `${name}.ts`,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      sourceMap: !inline,
      inlineSourceMap: inline,
    },
  });
  const js = path.join(dir, `${name}.js`);
  writeFileSync(js, output.outputText);
  if (output.sourceMapText) writeFileSync(`${js}.map`, output.sourceMapText);
  return js;
}

/** Prints the stack of the error the compiled module's handle() rejects with. */
const printRejection = new URL('./fixtures/print-handle-rejection.js', import.meta.url);

function stitchedStack(js: string, nodeArgs: string[] = []): string {
  const child = runFixture(printRejection, { args: [js], nodeArgs });
  expect(child.stderr).toBe('');
  return child.stdout;
}

describe('TypeScript with source maps', () => {
  for (const inline of [false, true]) {
    it(`maps the wait and spawn segments to .ts lines (${inline ? 'inline' : 'external'} map)`, () => {
      const name = inline ? 'inline' : 'external';
      const stack = stitchedStack(compile(name, inline));
      const lines = stack.split('\n');
      const waited = lines.findIndex((line) => line.includes('"GET /orders/7" waited here'));
      const spawned = lines.findIndex((line) => line.includes('"GET /orders/7" was spawned here'));
      expect(waited).toBeGreaterThan(0);
      expect(lines[waited + 1]).toMatch(new RegExp(`at loadOrder \\(.*${name}\\.ts:14:\\d+\\)$`));
      // The spawned function, `() => loadOrder(7)`: its parameter list on line 19, column 16.
      expect(lines[spawned + 1]).toBe(`    at ${path.join(dir, `${name}.ts`)}:19:16`);
      // V8's own part too: the timer callback that rejected.
      expect(lines[1]).toMatch(new RegExp(`${name}\\.ts:10:\\d+\\)$`));
      expect(stack).not.toContain(`${name}.js`);
    });
  }

  it('maps once, not twice, under --enable-source-maps', () => {
    const stack = stitchedStack(compile('node-maps', false), ['--enable-source-maps']);
    expect(stack).toMatch(/at loadOrder \(.*node-maps\.ts:14:\d+\)/);
    expect(stack).toMatch(/node-maps\.ts:19:\d+\)/);
    // The spawn segment's line, which fiberscope writes itself, is mapped as Node maps frames.
    const lines = stack.split('\n');
    const spawned = lines.findIndex((line) => line.includes('"GET /orders/7" was spawned here'));
    // (Node's formatter names an anonymous function `<anonymous>` in a mapped frame.)
    const location = `${path.join(dir, 'node-maps.ts')}:19:16`;
    expect([location, `<anonymous> (${location})`].map((at) => `    at ${at}`)).toContain(
      lines[spawned + 1],
    );
  });

  it("with spawnSites 'caller', maps the spawning line", () => {
    const js = compile('caller', false);
    const child = runFixture(printRejection, {
      args: [js],
      env: { FIBERSCOPE_SPAWN_SITES: 'caller' },
    });
    expect(child.stderr).toBe('');
    const lines = child.stdout.split('\n');
    const spawned = lines.findIndex((line) => line.includes('"GET /orders/7" was spawned here'));
    expect(lines[spawned + 1]).toMatch(/^ {4}at (Object\.)?handle \(.*caller\.ts:19:10\)$/);
  });
});
