// The trace parser: the lines of V8's stack text and fiberscope's separators, read back.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type * as Parse from '../../src/stitch/parse';

const { isFrameLine, isSeparatorLine, parseFrameLine, parseStackText, separatorLine } =
  createRequire(import.meta.url)('../../dist/stitch/parse.js') as typeof Parse;

describe('separator lines', () => {
  it('are written in V8 indentation, with the name in JSON quotes when there is one', () => {
    expect(separatorLine('wait', 12, 'GET /orders')).toBe(
      '    --- fiber #12 "GET /orders" waited here ---',
    );
    expect(separatorLine('spawn', 3, '')).toBe('    --- fiber #3 was spawned here ---');
    expect(separatorLine('run', 7, 'job')).toBe('    --- fiber #7 "job" was run from here ---');
  });

  it('are recognized for every kind and any name, and read back to kind, id and name', () => {
    const names = [
      '',
      'plain',
      'with "quotes"',
      'back\\slash',
      'two\nlines',
      'tab\there',
      '\u2028 ünï',
    ];
    for (const kind of ['wait', 'spawn', 'run'] as const) {
      for (const name of names) {
        const line = separatorLine(kind, 42, name);
        expect(isSeparatorLine(line)).toBe(true);
        expect(isFrameLine(line)).toBe(false);
        const { segments } = parseStackText(`Error: x\n    at f (/app/a.js:1:2)\n${line}`);
        expect(segments[1]).toEqual({ kind, fiber: { id: 42, name }, frames: [] });
      }
    }
  });

  it('are not taken for what only looks like one', () => {
    expect(isSeparatorLine('    --- fiber #3 something else ---')).toBe(false);
    expect(isSeparatorLine('    --- fiber #x waited here ---')).toBe(false);
    expect(isSeparatorLine('    --- fiber #3 "a" waited here --- and more')).toBe(false);
    expect(isSeparatorLine('    --- fiber #3 "a"b" waited here ---')).toBe(false);
    expect(isSeparatorLine('    at f (/app/a.js:1:2)')).toBe(false);
    expect(isSeparatorLine('')).toBe(false);
  });
});

describe('frame lines', () => {
  it('are the lines that start with `at`, indented or not', () => {
    const frames = ['    at f (/app/a.js:1:2)', '    at /app/a.js:1:2', '\tat f', 'at f'];
    const others = ['Error: at f', '    attach (x)', '    ... 3 more frames', ''];
    expect(frames.filter(isFrameLine)).toEqual(frames);
    expect(others.filter(isFrameLine)).toEqual([]);
  });

  it('parse to function, file, line, column, and whether native or application code', () => {
    expect(parseFrameLine('    at Server.handle (/app/server.js:10:5)')).toEqual({
      functionName: 'Server.handle',
      file: '/app/server.js',
      line: 10,
      column: 5,
      native: false,
      inApp: true,
    });
    expect(parseFrameLine('    at /app/server.js:1:1')).toMatchObject({
      functionName: '',
      file: '/app/server.js',
    });
    expect(
      parseFrameLine(
        '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      ),
    ).toMatchObject({ native: true, inApp: false });
    expect(parseFrameLine('    at new Promise (<anonymous>)')).toMatchObject({
      functionName: 'new Promise',
      file: '',
      native: true,
    });
    expect(parseFrameLine('    at file:///app/x.mjs:2:3')).toMatchObject({
      file: 'file:///app/x.mjs',
      line: 2,
      column: 3,
    });
  });
});

describe('parseStackText', () => {
  it('splits a stitched stack into its header (several lines) and its segments', () => {
    const stack = [
      'Error: first line',
      'second line of the message',
      '    at inner (/app/a.js:1:2)',
      '    at async outer (/app/a.js:3:4)',
      '    --- fiber #2 "worker" waited here ---',
      '    at waiter (/app/b.js:5:6)',
      '    --- fiber #2 "worker" was spawned here ---',
      '    --- fiber #1 was spawned here ---',
      '    at main (/app/main.js:7:8)',
    ].join('\n');
    const { header, segments } = parseStackText(stack);
    expect(header).toBe('Error: first line\nsecond line of the message');
    expect(segments.map((s) => [s.kind, s.fiber, s.frames.map((f) => f.functionName)])).toEqual([
      ['error', undefined, ['inner', 'outer']],
      ['wait', { id: 2, name: 'worker' }, ['waiter']],
      ['spawn', { id: 2, name: 'worker' }, []],
      ['spawn', { id: 1, name: '' }, ['main']],
    ]);
    expect(segments[0].frames[1].async).toBe(true);
  });

  it('gives a stack with no frames one empty error segment, and a separator-first one a header', () => {
    expect(parseStackText('Error: none')).toEqual({
      header: 'Error: none',
      segments: [{ kind: 'error', frames: [] }],
    });
    const { header, segments } = parseStackText(
      `Error: x\n${separatorLine('run', 5, '')}\n    at r (/app/r.js:1:1)`,
    );
    expect(header).toBe('Error: x');
    expect(segments.map((s) => s.kind)).toEqual(['error', 'run']);
  });
});
