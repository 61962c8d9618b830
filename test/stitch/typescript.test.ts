// Stitched traces of TypeScript compiled with source maps show the .ts files and lines.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runFixture } from '../helpers/child';

const dir = mkdtempSync(path.join(tmpdir(), 'fiberscope-ts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The TypeScript module: its positions below are asserted; the .js output has other lines (types
// and comments go).
const source = readFileSync(new URL('./fixtures/orders.ts', import.meta.url), 'utf8');
/** The 1-based line of `needle` in the .ts source, and the column where it starts. */
function position(needle: string): { line: number; column: number } {
  const lines = source.split('\n');
  const index = lines.findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`${needle} not found`);
  return { line: index + 1, column: (lines[index] as string).indexOf(needle) + 1 };
}
const waitLine = position('wait(failLater(').line;
const rejectLine = position('reject(new Error(message))').line;
// V8 places the spawned function `() => loadOrder(7)` at its parameter list.
const spawned = position('() => loadOrder(7)');
const spawnCall = position('spawn(() => loadOrder(7)');

// The compiled modules require fiberscope by name, which resolves from the temporary folder
// through a node_modules/fiberscope link to the repository, as from an installed package.
mkdirSync(path.join(dir, 'node_modules'));
symlinkSync(repoRoot, path.join(dir, 'node_modules', 'fiberscope'), 'dir');

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
      const segment = lines.findIndex((line) => line.includes('"GET /orders/7" was spawned here'));
      expect(waited).toBeGreaterThan(0);
      expect(lines[waited + 1]).toMatch(
        new RegExp(`at loadOrder \\(.*${name}\\.ts:${waitLine}:\\d+\\)$`),
      );
      // The spawned function, `() => loadOrder(7)`: its parameter list.
      expect(lines[segment + 1]).toBe(
        `    at ${path.join(dir, `${name}.ts`)}:${spawned.line}:${spawned.column}`,
      );
      // V8's own part too: the timer callback that rejected.
      expect(lines[1]).toMatch(new RegExp(`${name}\\.ts:${rejectLine}:\\d+\\)$`));
      expect(stack).not.toContain(`${name}.js`);
    });
  }

  it('maps once, not twice, under --enable-source-maps', () => {
    const stack = stitchedStack(compile('node-maps', false), ['--enable-source-maps']);
    expect(stack).toMatch(new RegExp(`at loadOrder \\(.*node-maps\\.ts:${waitLine}:\\d+\\)`));
    expect(stack).toMatch(new RegExp(`node-maps\\.ts:${spawned.line}:\\d+\\)`));
    // The spawn segment's line, which fiberscope writes itself, is mapped as Node maps frames.
    const lines = stack.split('\n');
    const segment = lines.findIndex((line) => line.includes('"GET /orders/7" was spawned here'));
    // (Node's formatter names an anonymous function `<anonymous>` in a mapped frame.)
    const location = `${path.join(dir, 'node-maps.ts')}:${spawned.line}:${spawned.column}`;
    expect([location, `<anonymous> (${location})`].map((at) => `    at ${at}`)).toContain(
      lines[segment + 1],
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
    const segment = lines.findIndex((line) => line.includes('"GET /orders/7" was spawned here'));
    expect(lines[segment + 1]).toMatch(
      new RegExp(
        `^ {4}at (Object\\.)?handle \\(.*caller\\.ts:${spawnCall.line}:${spawnCall.column}\\)$`,
      ),
    );
  });
});
