import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import {
  type Profile,
  toCpuProfile,
  toFolded,
  toHtml,
  toPprof,
  toSpeedscope,
} from 'fiberscope/profiler';
import { describe, expect, it } from 'vitest';
import {
  ordersProfile as fixture,
  frame,
  MAIN,
  ORDERS,
  sample,
  special,
  UNNAMED,
} from '../helpers/profile';

const require = createRequire(import.meta.url);

/** speedscope's own schema, as the speedscope npm package ships it. */
const speedscopeSchema = JSON.parse(
  readFileSync(require.resolve('speedscope/dist/release/file-format-schema.json'), 'utf8'),
) as object;
const validateSpeedscope = new Ajv({ allErrors: true }).compile(speedscopeSchema);

const UNKNOWN = { scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 };

describe('toCpuProfile', () => {
  it('merges every thread into one tree, V8-style', () => {
    const profile = toCpuProfile(fixture());
    expect(profile.nodes).toEqual([
      {
        id: 1,
        callFrame: { functionName: '(root)', ...UNKNOWN },
        hitCount: 0,
        children: [2, 3, 6, 7],
      },
      {
        id: 2,
        callFrame: {
          functionName: 'main',
          scriptId: '10',
          url: '/app/main.js',
          lineNumber: 0,
          columnNumber: 0,
        },
        hitCount: 2,
        children: [],
      },
      {
        id: 3,
        callFrame: {
          functionName: 'handle',
          scriptId: '11',
          url: '/app/server.js',
          lineNumber: 9,
          columnNumber: 2,
        },
        hitCount: 0,
        children: [4],
      },
      {
        id: 4,
        callFrame: {
          functionName: 'query',
          scriptId: '12',
          url: '/app/db.js',
          lineNumber: 19,
          columnNumber: 4,
        },
        hitCount: 3,
        children: [5],
      },
      {
        id: 5,
        callFrame: {
          functionName: '',
          scriptId: '12',
          url: '/app/db.js',
          lineNumber: 29,
          columnNumber: 6,
        },
        hitCount: 1,
        children: [],
      },
      { id: 6, callFrame: { functionName: '(idle)', ...UNKNOWN }, hitCount: 1, children: [] },
      {
        id: 7,
        callFrame: { functionName: '(garbage collector)', ...UNKNOWN },
        hitCount: 1,
        children: [],
      },
    ]);
    expect(profile.samples).toEqual([2, 4, 5, 6, 4, 7, 4, 2]);
    // Each sample sits where its weight starts (DevTools takes a sample to last until the next):
    // the weights laid end to end, absolute times rounded to whole µs, then differenced.
    expect(profile.timeDeltas).toEqual([0, 100, 100, 100, 100, 100, 100, 100]);
    expect(profile.startTime).toBe(5_000_000);
    expect(profile.endTime).toBe(5_000_900);
    expect(JSON.parse(JSON.stringify(profile))).toEqual(profile);
  });

  it('keeps only the threads the filter accepts', () => {
    const profile = toCpuProfile(fixture(), (thread) => thread.kind === 'fiber');
    expect(
      profile.nodes.map((node) => [
        node.id,
        node.callFrame.functionName,
        node.hitCount,
        node.children,
      ]),
    ).toEqual([
      [1, '(root)', 0, [2]],
      [2, 'handle', 0, [3]],
      [3, 'query', 3, [4]],
      [4, '', 1, []],
    ]);
    expect(profile.samples).toEqual([3, 4, 3, 3]);
    // Only the kept samples' weights: DevTools shows each thread's own time.
    expect(profile.timeDeltas).toEqual([0, 100, 100, 100]);

    const one = toCpuProfile(fixture(), (thread) => thread.id === UNNAMED);
    expect(one.samples).toEqual([3]);
    expect(one.timeDeltas).toEqual([0]);
    expect(toCpuProfile(fixture(), () => false)).toMatchObject({
      nodes: [{ id: 1 }],
      samples: [],
      timeDeltas: [],
    });
  });

  it('sorts samples by time, counts empty stacks as (program), marks unknown positions -1', () => {
    const profile = toCpuProfile({
      ...fixture(),
      frames: [frame('f', '', 0, 0, 0), special('program')],
      samples: [
        sample(300, 100, MAIN, [0]),
        sample(100, 100, MAIN, []),
        sample(200, 100, MAIN, [1]),
      ],
    });
    expect(profile.nodes).toEqual([
      { id: 1, callFrame: { functionName: '(root)', ...UNKNOWN }, hitCount: 0, children: [2, 3] },
      { id: 2, callFrame: { functionName: '(program)', ...UNKNOWN }, hitCount: 2, children: [] },
      { id: 3, callFrame: { functionName: 'f', ...UNKNOWN }, hitCount: 1, children: [] },
    ]);
    // The empty stack and the (program) frame are one node; then f.
    expect(profile.samples).toEqual([2, 2, 3]);
    expect(profile.timeDeltas).toEqual([0, 100, 100]);
  });
});

describe('toSpeedscope', () => {
  it('validates against speedscope’s schema', () => {
    const file = toSpeedscope(fixture(), 'orders service');
    const valid = validateSpeedscope(JSON.parse(JSON.stringify(file)));
    expect(validateSpeedscope.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(file.$schema).toBe('https://www.speedscope.app/file-format-schema.json');
    expect(file.name).toBe('orders service');
    expect(file.exporter).toBe('fiberscope');
    expect(file.activeProfileIndex).toBe(0);

    // The validator does reject what speedscope would not load.
    expect(
      validateSpeedscope({ ...file, profiles: [{ ...file.profiles[0], unit: 'ticks' }] }),
    ).toBe(false);
  });

  it('shares the frames, 1-based, with V8’s names for pseudo-frames', () => {
    expect(toSpeedscope(fixture()).shared.frames).toEqual([
      { name: 'main', file: '/app/main.js', line: 1, col: 1 },
      { name: 'handle', file: '/app/server.js', line: 10, col: 3 },
      { name: 'query', file: '/app/db.js', line: 20, col: 5 },
      { name: '(anonymous)', file: '/app/db.js', line: 30, col: 7 },
      { name: '(idle)' },
      { name: '(garbage collector)' },
    ]);
  });

  it('has the merged profile first, then one profile per thread weighing its CPU time', () => {
    const input = fixture();
    const file = toSpeedscope(input);
    expect(file.name).toBe('fiberscope profile');
    expect(file.profiles.map((profile) => profile.name)).toEqual([
      'all threads',
      'main',
      'fiber #12 "GET /orders"',
      'fiber #13',
    ]);
    for (const profile of file.profiles) {
      expect(profile.type).toBe('sampled');
      expect(profile.unit).toBe('microseconds');
      expect(profile.weights).toHaveLength(profile.samples.length);
      const total = profile.weights.reduce((sum, weight) => sum + weight, 0);
      expect(profile.startValue).toBe(0);
      expect(profile.endValue).toBeCloseTo(total, 9);
      for (const stack of profile.samples) {
        for (const index of stack) expect(file.shared.frames[index]).toBeDefined();
      }
    }
    const [all, main, orders, unnamed] = file.profiles;
    expect(all?.samples).toEqual(input.samples.map((s) => s.stack));
    expect(all?.weights).toEqual([100, 100, 100, 100, 100, 100.4, 99.6, 100]);
    expect(main?.samples).toEqual([[0], [4], [5], [0]]);
    expect(orders?.samples).toEqual([
      [1, 2],
      [1, 2, 3],
      [1, 2],
    ]);
    expect(unnamed?.samples).toEqual([[1, 2]]);

    const sum = (weights: number[] | undefined) => (weights ?? []).reduce((a, b) => a + b, 0);
    input.threads.forEach((thread, i) => {
      expect(sum(file.profiles[i + 1]?.weights)).toBeCloseTo(thread.cpuMs * 1000, 6);
    });
    expect(sum(all?.weights)).toBeCloseTo(800, 6);
  });

  it('orders samples by time and keeps threads without samples', () => {
    const input = fixture();
    input.samples.reverse();
    input.threads.push({
      id: 14,
      name: 'idle one',
      kind: 'fiber',
      cpuMs: 0,
      wallMs: 0,
      waitMs: 0,
      samples: 0,
    });
    const file = toSpeedscope(input);
    expect(file.profiles[0]?.samples).toEqual(fixture().samples.map((s) => s.stack));
    expect(file.profiles[4]).toMatchObject({
      name: 'fiber #14 "idle one"',
      samples: [],
      weights: [],
      endValue: 0,
    });
    expect(validateSpeedscope(JSON.parse(JSON.stringify(file)))).toBe(true);
  });
});

describe('toFolded', () => {
  it('writes one sorted line per unique stack, in whole µs', () => {
    expect(toFolded(fixture())).toBe(
      [
        '(garbage collector) 100',
        '(idle) 100',
        'handle (/app/server.js:10);query (/app/db.js:20) 300',
        'handle (/app/server.js:10);query (/app/db.js:20);(anonymous) (/app/db.js:30) 100',
        'main (/app/main.js:1) 200',
        '',
      ].join('\n'),
    );
  });

  it('roots each stack at its thread with byThread', () => {
    expect(toFolded(fixture(), { byThread: true })).toBe(
      [
        'fiber #12 "GET /orders";handle (/app/server.js:10);query (/app/db.js:20) 200',
        'fiber #12 "GET /orders";handle (/app/server.js:10);query (/app/db.js:20);(anonymous) (/app/db.js:30) 100',
        'fiber #13;handle (/app/server.js:10);query (/app/db.js:20) 100',
        'main;(garbage collector) 100',
        'main;(idle) 100',
        'main;main (/app/main.js:1) 200',
        '',
      ].join('\n'),
    );
  });

  it('escapes separators, rounds non-zero weights up to 1 and drops zero ones', () => {
    const input: Profile = {
      ...fixture(),
      frames: [
        frame('a;b', '/app/x;y.js', 3, 1, 1),
        frame('multi\nline', '', 0, 0, 0),
        frame('nofile', '/app/z.js', 0, 0, 2),
      ],
      samples: [
        sample(1, 0.2, MAIN, [0]),
        sample(2, 0, MAIN, [2]),
        sample(3, 1.5, 7, [0, 1]),
        sample(4, 2, ORDERS, []),
      ],
      threads: [
        { id: MAIN, name: 'main', kind: 'main', cpuMs: 0, wallMs: 0, waitMs: 0, samples: 2 },
        { id: ORDERS, name: 'x;y\nz', kind: 'fiber', cpuMs: 0, wallMs: 0, waitMs: 0, samples: 1 },
      ],
    };
    expect(toFolded(input)).toBe(
      ['(program) 2', 'a|b (/app/x|y.js:3) 1', 'a|b (/app/x|y.js:3);multi line 2', ''].join('\n'),
    );
    expect(toFolded(input, { byThread: true })).toBe(
      [
        'fiber #12 "x|y\\nz";(program) 2',
        'main;a|b (/app/x|y.js:3) 1',
        'thread #7;a|b (/app/x|y.js:3);multi line 2',
        '',
      ].join('\n'),
    );
    expect(toFolded({ ...input, samples: [sample(1, 3, MAIN, [2])] })).toBe(
      'nofile (/app/z.js) 3\n',
    );
    expect(toFolded({ ...input, samples: [] })).toBe('');
  });
});

describe('every exporter', () => {
  it('rejects a sample that refers to a frame the profile lacks, with one error', () => {
    const profile = fixture();
    profile.samples.push(sample(850, 50, ORDERS, [1, 99]));
    const exporters = { toCpuProfile, toFolded, toSpeedscope, toPprof, toHtml };
    for (const [name, exporter] of Object.entries(exporters)) {
      expect(() => exporter(profile), name).toThrow(
        new RangeError('Sample refers to frame 99, not in frames'),
      );
    }
  });
});
