import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { serializers } from 'fiberscope/pino';
import { pino } from 'pino';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runFixture } from '../helpers/child';
import { cli, runCli } from '../helpers/cli';

const ESC = '\u001b[';

function run(args: string[], input?: string) {
  return runCli(args, {
    input,
    timeoutMs: 20_000,
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '' },
  });
}

/** Lines as a pino logger with fiberscope's serializers writes them. */
function logLines(log: (logger: pino.Logger) => void): string[] {
  const lines: string[] = [];
  const logger = pino(
    { serializers, base: undefined },
    { write: (line: string) => lines.push(line) },
  );
  log(logger);
  return lines.map((line) => line.replace(/\n$/, ''));
}

/** The stack of stitchedError(), line by line, as `fiberscope stitch` prints it back. */
const STITCHED_STACK = [
  'Error: db down',
  '    at query (/app/db.js:12:11)',
  '    --- fiber #12 "GET /orders" waited here ---',
  '    at handler (/app/orders.js:41:17)',
  '    --- fiber #12 "GET /orders" was spawned here ---',
  '    at Server.onRequest (/app/server.js:9:5)',
];

function stitchedError(): Error {
  const error = new Error('db down', { cause: new Error('connection reset') });
  error.stack = STITCHED_STACK.join('\n');
  return error;
}

let dir: string;
let logFile: string;
const plain = 'server listening on :8080 (not JSON)';
const noError = '{"level":30,"time":1700000000000,"msg":"hello","user":{"id":1}}';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fiberscope-stitch-'));
  const [noErrorWithFiber] = logLines((logger) =>
    logger.error({ fiber: { id: 12, name: 'GET /orders' } }, 'no error here'),
  );
  const [stitchedLine] = logLines((logger) =>
    logger.error(
      { err: stitchedError(), fiber: { id: 12, name: 'GET /orders' } },
      'request failed',
    ),
  );
  logFile = path.join(dir, 'app.ndjson');
  // The last line has no newline.
  writeFileSync(logFile, [plain, noError, noErrorWithFiber, stitchedLine, plain].join('\n'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('fiberscope stitch', () => {
  it('prints each logged error with its stitched trace; other lines pass through', () => {
    const { status, stdout, stderr } = run(['stitch', '--no-color', logFile]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(plain);
    expect(lines[1]).toBe(noError);
    // A JSON line without an error is left as it is, even with a fiber key.
    expect(JSON.parse(lines[2])).toMatchObject({ msg: 'no error here' });
    expect(lines[3]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ERROR \(fiber #12 "GET \/orders"\): request failed$/,
    );
    expect(lines.slice(4, 11)).toEqual([...STITCHED_STACK, 'caused by: Error: connection reset']);
    expect(lines[11]).toMatch(/^ {4}at /);
    // The last input line, which had no newline, is passed through without one.
    expect(stdout.endsWith(`\n${plain}`)).toBe(true);
    expect(stdout).not.toContain(ESC);
  });

  it('reads stdin when no file is given (or "-")', () => {
    const input = `${plain}\n${noError}\n`;
    for (const args of [
      ['stitch', '--no-color'],
      ['stitch', '--no-color', '-'],
    ]) {
      const { status, stdout } = run(args, input);
      expect(status).toBe(0);
      expect(stdout).toBe(input);
    }
    const [line] = logLines((logger) => logger.error(stitchedError()));
    const { status, stdout } = run(['stitch'], `${line}\n`);
    expect(status).toBe(0);
    expect(stdout).toContain('    --- fiber #12 "GET /orders" waited here ---\n');
    // Not a TTY: no colors unless asked.
    expect(stdout).not.toContain(ESC);
  });

  it('colors with --color', () => {
    const [line] = logLines((logger) => logger.error(stitchedError()));
    const { stdout } = run(['stitch', '--color'], `${line}\n`);
    expect(stdout).toContain(ESC);
    expect(stripVTControlCharacters(stdout)).toContain(
      '    --- fiber #12 "GET /orders" was spawned here ---',
    );
  });

  it('reads errors logged by pino without fiberscope (stack text only) and under other keys', () => {
    const stack = stitchedError().stack as string;
    const input = [
      JSON.stringify({
        level: 40,
        time: 0,
        msg: 'a',
        error: { type: 'Error', message: 'x', stack },
      }),
      JSON.stringify({
        level: 'warn',
        msg: 'b',
        failure: { message: 'y', stack: 'TypeError: y\n    at f (/a.js:1:2)' },
      }),
    ].join('\n');
    const { stdout } = run(['stitch', '--no-color'], input);
    expect(stdout.split('\n')).toEqual([
      '1970-01-01T00:00:00.000Z WARN: a',
      ...STITCHED_STACK,
      'WARN: b',
      'TypeError: y',
      '    at f (/a.js:1:2)',
      '',
    ]);
  });

  it('shows where frames were cut by the serializer', () => {
    const error = new Error('deep');
    error.stack = [
      'Error: deep',
      ...Array.from({ length: 300 }, (_, i) => `    at f${i} (/app/deep.js:${i + 1}:1)`),
    ].join('\n');
    const [line] = logLines((logger) => logger.error(error));
    const { stdout } = run(['stitch', '--no-color'], line);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 1 + 200 + 1);
    expect(lines.at(-1)).toBe('    ... 100 more frames');
  });

  it('maps positions through source maps on disk (inline and external), not .ts frames', () => {
    const source = readFileSync(new URL('./fixtures/thrower.ts', import.meta.url), 'utf8');
    /** The 1-based line and column of `new Error` in `text`. */
    const throwIn = (text: string) => {
      const lines = text.split('\n');
      const index = lines.findIndex((line) => line.includes('new Error('));
      return `${index + 1}:${(lines[index] as string).indexOf('new Error(') + 1}`;
    };
    const compile = (name: string, options: ts.CompilerOptions) =>
      ts.transpileModule(source, {
        fileName: `${name}.ts`,
        compilerOptions: {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          ...options,
        },
      });
    const inline = compile('inline', { inlineSourceMap: true });
    writeFileSync(path.join(dir, 'inline.ts'), source);
    writeFileSync(path.join(dir, 'inline.js'), inline.outputText);
    const external = compile('external', { sourceMap: true });
    writeFileSync(path.join(dir, 'external.js'), external.outputText);
    writeFileSync(path.join(dir, 'external.js.map'), external.sourceMapText as string);
    writeFileSync(path.join(dir, 'plain.ts'), source);

    // Real stacks, from running the compiled files.
    const stackOf = (file: string) => {
      const result = runFixture(new URL('./fixtures/thrower-stack.js', import.meta.url), {
        args: [file],
      });
      return result.stdout;
    };
    const inlineStack = stackOf(path.join(dir, 'inline.js'));
    const externalStack = stackOf(path.join(dir, 'external.js'));
    expect(inlineStack).toContain(`${path.join(dir, 'inline.js')}:${throwIn(inline.outputText)}`);
    const tsFrame = `    at already (${path.join(dir, 'plain.ts')}:7:9)`;

    const input = [
      JSON.stringify({
        level: 50,
        time: 0,
        msg: 'inline',
        err: { message: 'm', stack: inlineStack },
      }),
      JSON.stringify({
        level: 50,
        time: 0,
        msg: 'external',
        err: { message: 'm', stack: externalStack },
      }),
      JSON.stringify({
        level: 50,
        time: 0,
        msg: 'ts',
        err: { message: 'm', stack: `Error: m\n${tsFrame}` },
      }),
    ].join('\n');
    const { status, stdout } = run(['stitch', '--no-color'], input);
    expect(status).toBe(0);
    const tsThrow = throwIn(source);
    expect(stdout).toContain(`    at Object.thrower (${path.join(dir, 'inline.ts')}:${tsThrow})\n`);
    expect(stdout).toContain(
      `    at Object.thrower (${path.join(dir, 'external.ts')}:${tsThrow})\n`,
    );
    expect(stdout).toContain(`${tsFrame}\n`);
    expect(stdout).not.toContain('inline.js:');
  });

  it('ends quietly when its reader goes away (| head)', async () => {
    const big = path.join(dir, 'big.ndjson');
    writeFileSync(big, `${plain}\n${noError}\n`.repeat(100_000));
    const child = spawn(process.execPath, [cli, 'stitch', big], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise((resolve) => child.once('close', resolve));
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  it('fails clearly on a file it cannot read (exit 1)', () => {
    const missing = path.join(dir, 'missing.ndjson');
    const { status, stdout, stderr } = run(['stitch', missing]);
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`fiberscope: cannot read ${missing}: no such file or directory\n`);
    const asDirectory = run(['stitch', dir]);
    expect(asDirectory.status).toBe(1);
    expect(asDirectory.stderr).toMatch(/^fiberscope: cannot read .*: /);
  });

  it('rejects unknown options and a second file (exit 2, with the usage of stitch)', () => {
    for (const args of [
      ['stitch', '--frobnicate'],
      ['stitch', 'a.ndjson', 'b.ndjson'],
    ]) {
      const { status, stderr } = run(args);
      expect(status).toBe(2);
      expect(stderr).toMatch(/^fiberscope: .*\n\nUsage: fiberscope stitch \[options\] \[file\]\n/);
      expect(stderr).not.toContain('fiberscope <command>');
    }
  });

  it('is listed in the usage', () => {
    expect(run(['--help']).stdout).toMatch(/^ {2}stitch \[options\] \[file\]/m);
  });

  it('--help after any command prints the usage of that command, exit code 0', () => {
    for (const command of ['run', 'repl', 'profile', 'stitch', 'flame']) {
      for (const flag of ['--help', '-h']) {
        const { status, stdout } = run([command, flag]);
        expect(status, `${command} ${flag}`).toBe(0);
        expect(stdout).toMatch(new RegExp(`^Usage: fiberscope ${command} `));
      }
    }
  });
});
