// `fiberscope flame`: .cpuprofile and speedscope files (as `fiberscope run --profile` writes them,
// and hand-written ones) to the HTML flame graph; bad input and bad arguments.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli as run, scratchDir } from '../helpers/cli';
import { htmlData } from '../helpers/profile';

const { dir, file } = scratchDir('flame');

interface Data {
  title: string;
  frames: Array<{ name: string }>;
  threads: Array<{ id: number; label: string; cpuMs: number; samples: number }>;
  stacks: number[][];
  weights: Array<[number, number, number]>;
}

const dataOf = (html: string) => htmlData<Data>(html);

/** Converts `input` and returns the page's data. */
function flame(input: string): Data {
  const out = path.join(dir, `${path.basename(input)}.html`);
  const result = run(['flame', input, '-o', out]);
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe('');
  expect(result.status).toBe(0);
  const html = readFileSync(out, 'utf8');
  expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  return dataOf(html);
}

const totalUs = (data: Data) => data.weights.reduce((sum, [, , weight]) => sum + weight, 0);

describe('fiberscope flame', () => {
  const profiles: Record<string, string> = {};
  beforeAll(() => {
    const app = fileURLToPath(new URL('./fixtures/fibers-worker.js', import.meta.url));
    for (const suffix of ['.cpuprofile', '.speedscope.json', '.folded']) {
      const out = path.join(dir, `app${suffix}`);
      const result = run(['run', '--profile', out, '--interval', '500us', app]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      profiles[suffix] = out;
    }
  });

  it('converts a .cpuprofile from fiberscope run: one main thread, the functions by name', () => {
    const data = flame(profiles['.cpuprofile'] as string);
    expect(data.title).toBe('app.cpuprofile');
    expect(data.threads.map((t) => t.label)).toEqual(['main']);
    expect(data.frames.map((f) => f.name)).toContain('burnInFiber');
    expect(data.threads[0]?.cpuMs).toBeGreaterThan(30);
  });

  it('converts a speedscope file from fiberscope run: a thread per fiber, labels kept', () => {
    const input = profiles['.speedscope.json'] as string;
    const data = flame(input);
    const labels = data.threads.map((t) => t.label);
    expect(labels[0]).toBe('main');
    expect(labels).toEqual(
      expect.arrayContaining([expect.stringMatching(/^fiber #\d+ "worker"$/)]),
    );
    expect(data.frames.map((f) => f.name)).toContain('burnInFiber');
    // burnInFiber ran on the worker fiber only.
    const worker = data.threads.find((t) => t.label.endsWith('"worker"'))?.id;
    const burn = data.frames.findIndex((f) => f.name === 'burnInFiber');
    const threadsOfBurn = new Set(
      data.weights.filter(([, stack]) => data.stacks[stack]?.includes(burn)).map(([t]) => t),
    );
    expect([...threadsOfBurn]).toEqual([worker]);
    // fiberscope's merged "all threads" profile is not counted again.
    const file = JSON.parse(readFileSync(input, 'utf8'));
    const merged = file.profiles.find((p: { name: string }) => p.name === 'all threads');
    expect(totalUs(data)).toBeCloseTo(merged.endValue, -1);
  });

  it('converts evented speedscope profiles and foreign thread names', () => {
    const input = file(
      'evented.speedscope.json',
      JSON.stringify({
        $schema: 'https://www.speedscope.app/file-format-schema.json',
        shared: { frames: [{ name: 'outer', file: 'a.js', line: 1 }, { name: 'inner' }] },
        profiles: [
          {
            type: 'evented',
            name: 'Worker A',
            unit: 'milliseconds',
            startValue: 0,
            endValue: 10,
            events: [
              { type: 'O', frame: 0, at: 0 },
              { type: 'O', frame: 1, at: 2 },
              { type: 'C', frame: 1, at: 5 },
              { type: 'C', frame: 0, at: 6 },
            ],
          },
          {
            type: 'sampled',
            name: 'main',
            unit: 'microseconds',
            startValue: 0,
            endValue: 300,
            samples: [[0], [0, 1]],
            weights: [100, 200],
          },
        ],
      }),
    );
    const data = flame(input);
    expect(data.threads.map((t) => t.label)).toEqual(['main', 'fiber #1 "Worker A"']);
    const weighed = data.weights.map(([thread, stack, weight]) => [
      thread,
      data.stacks[stack]?.map((f) => data.frames[f]?.name).join(';'),
      weight,
    ]);
    expect(weighed).toEqual(
      expect.arrayContaining([
        [1, 'outer', 3000], // 0-2 and 5-6 ms
        [1, 'outer;inner', 3000],
        [0, 'outer', 100],
        [0, 'outer;inner', 200],
      ]),
    );
    expect(totalUs(data)).toBe(6300);
  });

  it('reports a file it cannot read, and input that is not a profile, with exit code 1', () => {
    const missing = path.join(dir, 'missing.cpuprofile');
    const out = path.join(dir, 'out.html');
    const unreadable = run(['flame', missing, '-o', out]);
    expect(unreadable.status).toBe(1);
    expect(unreadable.stderr).toMatch(
      new RegExp(`^fiberscope: cannot read ${missing.replace(/[.\\]/g, '\\$&')}: ENOENT`),
    );

    const cases: Array<[string, string, RegExp]> = [
      [
        'garbage.cpuprofile',
        '{ not\njson',
        /^fiberscope: \S+garbage\.cpuprofile is not a profile: invalid JSON \(Expected property name or '}' at line 1, column 3\); flame reads \.cpuprofile and speedscope files\n$/,
      ],
      // V8's message quotes the text: left out.
      [
        'text.json',
        'hello there',
        /is not a profile: invalid JSON \(Unexpected token 'h'\); flame reads \.cpuprofile and speedscope files\n$/,
      ],
      [
        'empty.json',
        '\n',
        /empty\.json is empty, not a profile \(flame reads \.cpuprofile and speedscope files\)/,
      ],
      [
        'page.html',
        '<!DOCTYPE html>\n<html></html>',
        /page\.html is HTML or XML, not a profile \(flame reads \.cpuprofile and speedscope files\)/,
      ],
      [
        'profile.pb.gz',
        '\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03binary',
        /is not a profile: a binary file, not JSON \(flame reads \.cpuprofile and speedscope files\)$/m,
      ],
      ['other.json', '{"traceEvents": []}', /is not a profile: expected a \.cpuprofile/],
      ['array.json', '[1, 2]', /is not a profile/],
      [
        'empty.cpuprofile',
        '{"nodes": [], "startTime": 0, "endTime": 1}',
        /not a \.cpuprofile: "nodes"/,
      ],
      [
        'dangling.cpuprofile',
        JSON.stringify({
          nodes: [{ id: 1, callFrame: { functionName: '(root)', url: '' }, children: [] }],
          startTime: 0,
          endTime: 10,
          samples: [7],
          timeDeltas: [1],
        }),
        /not a \.cpuprofile: samples\[0\] is not a node id/,
      ],
      [
        'bad.speedscope.json',
        JSON.stringify({
          shared: { frames: [] },
          profiles: [{ type: 'sampled', unit: 'parsecs' }],
        }),
        /not a speedscope file: profiles\[0\] has an unknown unit "parsecs"/,
      ],
    ];
    for (const [name, text, message] of cases) {
      const result = run(['flame', file(name, text), '-o', out]);
      if (text.trim() !== '') expect(result.stderr, name).not.toContain(text.trim());
      expect(result.stderr, name).toMatch(/^fiberscope: /);
      expect(result.stderr, name).toMatch(message);
      expect(result.stderr, name).not.toContain('Usage:');
      expect(result.status, name).toBe(1);
    }
  });

  it('says that folded stacks are not what it reads, and which formats it reads', () => {
    const folded = profiles['.folded'] as string;
    const out = path.join(dir, 'from-folded.html');
    const result = run(['flame', folded, '-o', out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `fiberscope: ${folded} holds folded stacks, which flame does not read (flame reads .cpuprofile and speedscope files; fiberscope run --profile x.html writes the page itself)\n`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('rejects bad arguments with the usage and exit code 2', () => {
    const input = profiles['.cpuprofile'] as string;
    for (const args of [
      ['flame'],
      ['flame', input],
      ['flame', input, '-o'],
      ['flame', input, input, '-o', path.join(dir, 'x.html')],
      ['flame', '--wat', input, '-o', path.join(dir, 'x.html')],
    ]) {
      const result = run(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^fiberscope: /);
      expect(result.stderr).toContain('flame [--title TEXT] <profile> -o <out.html>');
    }
  });
});
