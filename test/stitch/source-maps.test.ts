// Source-mapped stack traces: TypeScript frames show .ts files and lines, without double mapping
// under --enable-source-maps, composed with an Error.prepareStackTrace installed before fiberscope
// and out of the way of one installed after. Error.prepareStackTrace is global, so every case runs
// in a child process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFixture } from '../helpers/child';

// Comments, blank lines and types that compile away, so .js and .ts lines differ.
const fixtureSource = fs.readFileSync(new URL('./fixtures/throws.ts', import.meta.url), 'utf8');

/** 1-based line and column of `needle` in `text`. */
function position(text: string, needle: string): { line: number; column: number } {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`${needle} not found`);
  return { line: index + 1, column: (lines[index] as string).indexOf(needle) + 1 };
}

const tsThrow = position(fixtureSource, 'new Error(message)');
const tsAsyncThrow = position(fixtureSource, "new Error('async boom')");
// V8 puts an async frame at its `await`.
const tsAwait = position(fixtureSource, 'await inner();');

let dir: string;
let external: string;
let inline: string;
let jsThrow: { line: number; column: number };

function compile(into: string, inlineMap: boolean): string {
  fs.mkdirSync(into, { recursive: true });
  const output = ts.transpileModule(fixtureSource, {
    fileName: 'fixture.ts',
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      sourceMap: !inlineMap,
      inlineSourceMap: inlineMap,
    },
  });
  fs.writeFileSync(path.join(into, 'fixture.ts'), fixtureSource);
  fs.writeFileSync(path.join(into, 'fixture.js'), output.outputText);
  if (output.sourceMapText)
    fs.writeFileSync(path.join(into, 'fixture.js.map'), output.sourceMapText);
  jsThrow = position(output.outputText, 'new Error(message)');
  return path.join(into, 'fixture.js');
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fiberscope-source-maps-'));
  external = compile(path.join(dir, 'external'), false);
  inline = compile(path.join(dir, 'inline'), true);
  expect(fs.existsSync(`${external}.map`)).toBe(true);
  expect(fs.readFileSync(inline, 'utf8')).toContain('sourceMappingURL=data:application/json');
  expect(jsThrow.line).not.toBe(tsThrow.line);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs a fixture (test/stitch/fixtures/source-maps-*.js: they load fiberscope, then call
 *  installSourceMaps() as the package entry is to do) with `args`, and returns what it printed as
 *  JSON. NODE_OPTIONS is cleared so only the test decides whether Node maps by itself. */
function run(
  fixture: string,
  args: string[],
  options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
) {
  const child = runFixture(new URL(`./fixtures/${fixture}`, import.meta.url), {
    args,
    nodeArgs: options.nodeArgs ?? [],
    env: { NODE_OPTIONS: '', ...options.env },
  });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout);
}

const tsFrame = (file: string, at: { line: number; column: number }) =>
  `${file.replace(/\.js$/, '.ts')}:${at.line}:${at.column}`;

describe('installSourceMaps()', () => {
  for (const kind of ['external', 'inline'] as const) {
    it(`maps frames of TypeScript compiled with an ${kind} source map`, () => {
      const file = kind === 'external' ? external : inline;
      const result = run('source-maps-stack.js', [file]);
      expect(result.active).toBe(true);
      const lines = result.stack.split('\n');
      expect(lines[0]).toBe('Error: boom x');
      expect(lines[1]).toBe(`    at Object.boom (${tsFrame(file, tsThrow)})`);
      expect(result.stack).not.toContain('fixture.js');
      // Frames without a map are untouched.
      expect(lines[2]).toMatch(/^ {4}at \S+\/source-maps-stack\.js:\d+:\d+$/);
    });
  }

  it('keeps async frames, and maps them too', () => {
    const result = run('source-maps-async.js', [external]);
    expect(result.stack.split('\n')).toEqual([
      'Error: async boom',
      `    at inner (${tsFrame(external, tsAsyncThrow)})`,
      `    at async Object.outer (${tsFrame(external, tsAwait)})`,
    ]);
  });

  it('formats unmapped frames exactly like V8, also for errors created before install and non-Errors', () => {
    const result = run('source-maps-unmapped.js', [external]);
    expect(result.active).toBe(true);
    expect(result.after).toEqual(result.before);
    expect(result.after[0]).toMatch(/^Holder\n {4}at where \(\S+\/source-maps-unmapped\.js:/);
    expect(result.after[1]).toMatch(
      /^TypeError: plain\n {4}at plain \(\S+\/source-maps-unmapped\.js:/,
    );
    // V8 formats lazily: an error thrown before install, read after, is mapped.
    expect(result.early.split('\n')[1]).toBe(`    at Object.boom (${tsFrame(external, tsThrow)})`);
  });

  it('formats by itself like V8 where Node exposes no default Error.prepareStackTrace (older Node 20)', () => {
    const result = run('source-maps-no-default-hook.js', [external]);
    expect(result.active).toBe(true);
    expect(result.stacks[1]).toBe(result.stacks[0]);
    expect(result.empty).toBe('Error: none');
    expect(result.mapped.split('\n')[1]).toBe(`    at Object.boom (${tsFrame(external, tsThrow)})`);
  });

  for (const [how, options] of [
    ['--enable-source-maps', { nodeArgs: ['--enable-source-maps'] }],
    ['NODE_OPTIONS=--enable-source-maps', { env: { NODE_OPTIONS: '--enable-source-maps' } }],
  ] as const) {
    it(`leaves mapping to Node under ${how} (no double mapping)`, () => {
      const result = run('source-maps-node-maps.js', [external], options);
      expect(result.active).toBe(false);
      expect(result.untouched).toBe(true);
      const top = result.stack.split('\n')[1];
      expect(top).toContain(tsFrame(external, tsThrow));
      expect(result.stack.split('fixture.ts:').length - 1).toBe(1);
      expect(result.stack).not.toContain('fixture.js');
    });
  }

  it('composes with an Error.prepareStackTrace installed before, handing it mapped call sites', () => {
    const result = run('source-maps-hook-before.js', [external]);
    expect(result.replaced).toBe(true);
    expect(result.stack).toMatch(/^custom:\d+:/);
    expect(result.stack.replace(/^custom:\d+:/, '')).toBe(tsFrame(external, tsThrow));
  });

  it('steps aside for an Error.prepareStackTrace installed after it', () => {
    const result = run('source-maps-hook-after.js', [external]);
    expect(result.kept).toBe(true);
    // The user's hook gets V8's own call sites: the compiled file, not re-wrapped by fiberscope.
    expect(result.stack).toMatch(/^custom:\d+:/);
    expect(result.stack.replace(/^custom:\d+:/, '')).toBe(`${external}:${jsThrow.line}`);
  });
});

describe('originalPosition() and mapPosition()', () => {
  for (const kind of ['external', 'inline'] as const) {
    it(`give the original 1-based position through an ${kind} map, and nothing without one`, () => {
      const file = kind === 'external' ? external : inline;
      const source = file.replace(/\.js$/, '.ts');
      const result = run('source-maps-positions.js', [
        file,
        String(jsThrow.line),
        String(jsThrow.column),
      ]);
      const expected = { file: source, line: tsThrow.line, column: tsThrow.column };
      expect(result).toEqual({
        original: expected,
        mapped: expected,
        unmapped: 'undefined',
        own: 'undefined',
      });
    });
  }
});
