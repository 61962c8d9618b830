// The HTML flame graph: one self-contained page, its data safely embedded, and it renders in a
// real browser (headless Chromium, which CI installs: see .ci/run).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Profile, ProfileThread } from 'fiberscope/profiler';
import { toHtml } from 'fiberscope/profiler';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runFixture } from '../helpers/child';
import { htmlData } from '../helpers/profile';
import { requireOrSkip } from '../helpers/requirements';

const CHROMIUM = '/usr/bin/chromium';
const dir = mkdtempSync(path.join(tmpdir(), 'fiberscope-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Data {
  title: string;
  frames: Array<{ name: string; url: string; line: number; special?: string }>;
  threads: Array<{
    id: number;
    label: string;
    cpuMs: number;
    wallMs: number;
    waitMs: number;
    readyMs: number;
    waits: Array<{ name: string; where: string; ms: number; count: number }>;
  }>;
  groups: unknown[];
  stacks: number[][];
  weights: Array<[number, number, number]>;
}

const dataOf = (html: string) => htmlData<Data>(html);

const EVIL = '</script><script>alert(1)</script><!--';

function fixture(): Profile {
  const frame = (functionName: string, url: string, line: number) => ({
    functionName,
    url,
    line,
    column: 1,
    scriptId: 1,
  });
  return {
    startTimeUs: 1_000_000,
    endTimeUs: 1_001_000,
    intervalUs: 100,
    frames: [
      frame('main', '/app/main.js', 1), // 0
      frame('handle', '/app/server.js', 10), // 1
      frame('query', '/app/db.js', 20), // 2
      frame('query', '/app/db.js', 24), // 3: the same function, another line
      frame(EVIL, '/app/evil.js', 3), // 4
      frame('', '/app/anon.js', 5), // 5
      { ...frame('', '', 0), special: 'idle' as const }, // 6
    ],
    samples: [
      { timeUs: 100, weightUs: 100, threadId: 0, stack: [0] },
      { timeUs: 200, weightUs: 100, threadId: 12, stack: [1, 2] },
      { timeUs: 300, weightUs: 150, threadId: 12, stack: [1, 3] },
      { timeUs: 400, weightUs: 100, threadId: 13, stack: [1, 4, 5] },
      { timeUs: 500, weightUs: 200, threadId: 0, stack: [6] },
      { timeUs: 600, weightUs: 50, threadId: 0, stack: [] },
    ],
    threads: [
      { id: 0, name: 'main', kind: 'main', cpuMs: 0.15, wallMs: 1, waitMs: 0, samples: 2 },
      {
        id: 12,
        name: 'GET /orders',
        kind: 'fiber',
        cpuMs: 0.25,
        wallMs: 0.9,
        waitMs: 0.4,
        samples: 2,
      },
      { id: 13, name: '', kind: 'fiber', cpuMs: 0.1, wallMs: 0.5, waitMs: 0, samples: 1 },
    ],
  };
}

describe('toHtml()', () => {
  const html = toHtml(fixture(), { title: 'orders <service> & co' });

  it('is one self-contained page: no resource URLs, inline CSS and JavaScript only', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<link\b|<img\b|<iframe\b|\ssrc=|@import|url\(/i);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('<title>orders &lt;service&gt; &amp; co</title>');
  });

  it('embeds the data as JSON that parses back: display names, thread labels, weights', () => {
    const data = dataOf(html);
    expect(data.title).toBe('orders <service> & co');
    expect(data.threads.map((t) => t.label)).toEqual([
      'main',
      'fiber #12 "GET /orders"',
      'fiber #13',
    ]);
    expect(data.threads[1]).toMatchObject({ cpuMs: 0.25, wallMs: 0.9, waitMs: 0.4 });
    const names = data.frames.map((f) => f.name);
    // One frame per function: query's two lines merged, at its first line.
    expect(names.filter((n) => n === 'query')).toHaveLength(1);
    expect(data.frames.find((f) => f.name === 'query')?.line).toBe(20);
    expect(names).toEqual(
      expect.arrayContaining(['main', '(anonymous)', '(idle)', '(program)', EVIL]),
    );
    // Every sample's weight is there, per thread, on its stack of names.
    const stackNames = (i: number) => (data.stacks[i] as number[]).map((f) => data.frames[f]?.name);
    const byThread = new Map<string, number>();
    for (const [thread, stack, weight] of data.weights) {
      const key = `${thread}:${stackNames(stack).join(';')}`;
      byThread.set(key, (byThread.get(key) ?? 0) + weight);
    }
    expect(Object.fromEntries(byThread)).toEqual({
      '0:main': 100,
      '12:handle;query': 250,
      [`13:handle;${EVIL};(anonymous)`]: 100,
      '0:(idle)': 200,
      '0:(program)': 50,
    });
  });

  it("lists name groups of two or more fibers, and each selection's ready time and wait sites", () => {
    const profile = fixture();
    const orders = profile.threads[1] as ProfileThread;
    orders.readyMs = 0.05;
    orders.timeline = [
      { state: 'running', startUs: 100, endUs: 300 },
      { state: 'waiting', startUs: 300, endUs: 500, frame: 2 },
      { state: 'ready', startUs: 500, endUs: 550 },
      { state: 'running', startUs: 550, endUs: 600 },
      { state: 'waiting', startUs: 600, endUs: 700, frame: 3 },
      { state: 'waiting', startUs: 700, endUs: 1000 },
    ];
    profile.threads.push({
      ...orders,
      id: 14,
      cpuMs: 0.5,
      readyMs: 0.25,
      timeline: [{ state: 'waiting', startUs: 0, endUs: 400, frame: 2 }],
    });
    const data = dataOf(toHtml(profile));
    expect(data.groups).toEqual([
      {
        label: '"GET /orders" (2 fibers)',
        ids: [12, 14],
        cpuMs: 0.75,
        wallMs: 1.8,
        waitMs: 0.8,
        readyMs: 0.3,
        samples: 4,
        waits: [
          { name: 'query', where: '/app/db.js:20', ms: 0.6, count: 2 },
          { name: '(unknown)', where: '', ms: 0.3, count: 1 },
          { name: 'query', where: '/app/db.js:24', ms: 0.1, count: 1 },
        ],
      },
    ]);
    const thread = data.threads.find((t) => t.id === 12);
    expect(thread?.readyMs).toBe(0.05);
    expect(thread?.waits.map((w) => [w.where, w.ms, w.count])).toEqual([
      ['', 0.3, 1],
      ['/app/db.js:20', 0.2, 1],
      ['/app/db.js:24', 0.1, 1],
    ]);
    // A name held by one fiber, or no name, makes no group.
    expect(dataOf(html).groups).toEqual([]);
  });

  it('inlines the script that npm run build makes of html-page/page.ts', () => {
    const script = readFileSync(
      path.join(repoRoot, 'dist/profiler/export/html-page/page.js'),
      'utf8',
    );
    expect(script).toContain("byId('fiberscope-data')");
    expect(html).toContain(`<script>\n${script}</script>`);
  });

  it('escapes < in the data so </script> in a function name cannot break out', () => {
    // The data block's end and the script's end: no third one from the function name.
    expect(html.match(/<\/script>/gi)).toHaveLength(2);
    expect(html.match(/<script\b/gi)).toHaveLength(2);
    expect(html).not.toContain('<!--');
    expect(html).toContain('\\u003c/script\\u003e\\u003cscript\\u003ealert(1)');
  });
});

describe('the page in headless Chromium', () => {
  function chromium(args: string[]) {
    const result = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${path.join(dir, 'chromium-profile')}`,
        '--window-size=1200,800',
        ...args,
      ],
      { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL', maxBuffer: 64 << 20 },
    );
    expect(result.error, result.stderr).toBeUndefined();
    expect(result.status, result.stderr).toBe(0);
    return result.stdout;
  }

  it('renders the thread selector and the flame graph of a real profile', {
    timeout: 120_000,
  }, (context) => {
    requireOrSkip(
      context,
      'the headless Chromium test of the flame graph page',
      existsSync(CHROMIUM)
        ? undefined
        : `${CHROMIUM} is missing: this test needs Debian's chromium package ` +
            '(apt-get install -y --no-install-recommends chromium; .ci/run installs it)',
    );
    const file = path.join(dir, 'real.html');
    const child = runFixture(new URL('./fixtures/html-cruncher.js', import.meta.url), {
      args: [file],
      timeoutMs: 30_000,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const url = pathToFileURL(file).href;

    const dom = chromium(['--dump-dom', url]);
    // Rendered by the page's script, not just present in the data block.
    expect(dom).toContain('<option value="all">All threads</option>');
    expect(dom).toMatch(/<option value="0">main<\/option>/);
    expect(dom).toMatch(/<option value="\d+">fiber #\d+ "cruncher"<\/option>/);
    expect(dom).toContain('<option value="g0">"cruncher" (2 fibers)</option>');
    expect(dom).toMatch(/<tr[^>]*><td>fiber #\d+ "cruncher"<\/td><td>fiber<\/td>/);
    expect(dom).toMatch(/<div class="frame[^"]*"[^>]*>crunchNumbers<\/div>/);

    // The name group selected from the address: its flame graph, times and wait site.
    const group = chromium(['--dump-dom', `${url}#thread=g0`]);
    expect(group).toMatch(
      /<div id="selection">"cruncher" \(2 fibers\): running [\d.]+ ms, waiting [\d.]+ ms, ready [\d.]+ ms; waits at \S+ \([^()]*html-cruncher\.js:\d+\) [\d.]+ ms ×2<\/div>/,
    );
    expect(group).toMatch(/<div class="frame[^"]*"[^>]*>crunchNumbers<\/div>/);

    const png = path.join(dir, 'real.png');
    chromium([`--screenshot=${png}`, url]);
    expect(statSync(png).size).toBeGreaterThan(1000);
    expect(readFileSync(png).subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
  });
});
