// A self-contained HTML page with an interactive flame graph: one file, no network (inline CSS
// and JavaScript, system fonts, a Content-Security-Policy that forbids fetching anything).
// Format: HTML5, https://html.spec.whatwg.org/multipage/ ; the data rides in a data block,
// https://html.spec.whatwg.org/multipage/scripting.html#data-block , as JSON.
//
// The page's script (html-page/page.ts, built to dist/ beside this file) builds the call tree of
// the selected logical thread (or of all threads merged) from unique stacks and their per-thread
// weights, so the file holds each distinct stack once however many samples hit it. Its style is
// in html-template.ts.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { threadsByName } from '../by-name';
import type { Profile, ProfileThread } from '../model';
import type { HtmlData, HtmlFrame, HtmlGroup, HtmlThread, HtmlWaitSite } from './html-data';
import { HTML_STYLE } from './html-template';
import { displayName, missingFrame, threadLabel } from './names';

export type {
  HtmlData,
  HtmlFrame,
  HtmlGroup,
  HtmlThread,
  HtmlTimes,
  HtmlWaitSite,
} from './html-data';

export interface HtmlOptions {
  /** The page's title. Default `fiberscope profile`. */
  title?: string;
}

/** The page's script as `npm run build` writes it (scripts/build-html-page.js), read once. */
let pageScript: string | undefined;
function htmlScript(): string {
  if (pageScript === undefined) {
    const file = path.join(__dirname, 'html-page', 'page.js');
    try {
      pageScript = readFileSync(file, 'utf8');
    } catch (error) {
      const why = `The flame graph page's script is missing (npm run build makes it): ${file}`;
      throw new Error(why, { cause: error });
    }
  }
  return pageScript;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;
/** Wait sites listed per thread or group. */
const TOP_WAITS = 5;

/** The threads' waiting segments summed by call site, most waited first. */
function waitSites(profile: Profile, threads: readonly ProfileThread[]): HtmlWaitSite[] {
  const sites = new Map<string, HtmlWaitSite>();
  for (const thread of threads) {
    for (const segment of thread.timeline ?? []) {
      if (segment.state !== 'waiting') continue;
      const frame = segment.frame === undefined ? undefined : profile.frames[segment.frame];
      const name = frame === undefined ? '(unknown)' : displayName(frame);
      const where = frame === undefined || frame.url === '' ? '' : `${frame.url}:${frame.line}`;
      const key = `${name}\0${where}`;
      const site = sites.get(key) ?? { name, where, ms: 0, count: 0 };
      site.ms += (segment.endUs - segment.startUs) / 1000;
      site.count++;
      sites.set(key, site);
    }
  }
  return [...sites.values()]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, TOP_WAITS)
    .map((site) => ({ ...site, ms: round3(site.ms) }));
}

/** The data the page renders: frames by display name, threads by label, stacks weighed. */
export function toHtmlData(profile: Profile, options: HtmlOptions = {}): HtmlData {
  const frames: HtmlFrame[] = [];
  const functionIndex = new Map<string, number>();
  const frameFunction = profile.frames.map((frame) => {
    const name = displayName(frame);
    const key = JSON.stringify([name, frame.url, frame.special ?? '']);
    let index = functionIndex.get(key);
    if (index === undefined) {
      index = frames.length;
      const out: HtmlFrame = { name, url: frame.url, line: frame.line };
      if (frame.special !== undefined) out.special = frame.special;
      frames.push(out);
      functionIndex.set(key, index);
    } else {
      const known = frames[index] as HtmlFrame;
      if (frame.line > 0 && (known.line === 0 || frame.line < known.line)) known.line = frame.line;
    }
    return index;
  });
  let programFrame = frames.findIndex((frame) => frame.special === 'program');

  const stackIndex = new Map<string, number>();
  const stacks: number[][] = [];
  const weightOf = new Map<string, [number, number, number]>();
  const unknownThreads = new Map<number, { cpuUs: number; samples: number }>();
  const listed = new Set(profile.threads.map((thread) => thread.id));

  for (const sample of profile.samples) {
    for (const index of sample.stack) {
      if (profile.frames[index] === undefined) {
        throw missingFrame(index);
      }
    }
    let stack = sample.stack.map((index) => frameFunction[index] as number);
    if (stack.length === 0) {
      if (programFrame < 0) {
        programFrame = frames.length;
        frames.push({ name: '(program)', url: '', line: 0, special: 'program' });
      }
      stack = [programFrame];
    }
    const key = stack.join(',');
    let index = stackIndex.get(key);
    if (index === undefined) {
      index = stacks.length;
      stacks.push(stack);
      stackIndex.set(key, index);
    }
    const entryKey = `${sample.threadId}:${index}`;
    const entry = weightOf.get(entryKey);
    if (entry === undefined) weightOf.set(entryKey, [sample.threadId, index, sample.weightUs]);
    else entry[2] += sample.weightUs;

    if (!listed.has(sample.threadId)) {
      const stats = unknownThreads.get(sample.threadId) ?? { cpuUs: 0, samples: 0 };
      if (frames[stack[stack.length - 1] as number]?.special !== 'idle') {
        stats.cpuUs += sample.weightUs;
        stats.samples++;
      }
      unknownThreads.set(sample.threadId, stats);
    }
  }

  const threads: HtmlThread[] = profile.threads.map((thread) => ({
    id: thread.id,
    label: threadLabel(thread, thread.id),
    kind: thread.kind,
    cpuMs: round3(thread.cpuMs),
    wallMs: round3(thread.wallMs),
    waitMs: round3(thread.waitMs),
    readyMs: round3(thread.readyMs ?? 0),
    samples: thread.samples,
    waits: waitSites(profile, [thread]),
  }));
  for (const [id, stats] of [...unknownThreads].sort(([a], [b]) => a - b)) {
    threads.push({
      id,
      label: threadLabel(undefined, id),
      kind: 'unknown',
      cpuMs: round3(stats.cpuUs / 1000),
      wallMs: 0,
      waitMs: 0,
      readyMs: 0,
      samples: stats.samples,
      waits: [],
    });
  }
  const groups: HtmlGroup[] = threadsByName(profile)
    .filter((group) => group.kind === 'fiber' && group.name !== '' && group.fibers > 1)
    .map((group) => ({
      label: `${JSON.stringify(group.name)} (${group.fibers} fibers)`,
      ids: group.ids,
      cpuMs: round3(group.cpuMs),
      wallMs: round3(group.wallMs),
      waitMs: round3(group.waitMs),
      readyMs: round3(group.readyMs),
      samples: group.samples,
      waits: waitSites(
        profile,
        profile.threads.filter((thread) => group.ids.includes(thread.id)),
      ),
    }));

  return {
    title: options.title ?? 'fiberscope profile',
    durationMs: round3((profile.endTimeUs - profile.startTimeUs) / 1000),
    intervalUs: profile.intervalUs,
    frames,
    threads,
    groups,
    stacks,
    weights: [...weightOf.values()]
      .filter(([, , weight]) => weight > 0)
      .map(([thread, stack, weight]) => [thread, stack, round3(weight)]),
  };
}

/** JSON safe inside `<script>`: `<` (so no `</script>` or `<!--`), `>`, `&` and the JavaScript
 * line terminators become `\uXXXX` escapes, which JSON.parse turns back. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/**
 * The profile as one self-contained HTML page: a flame graph (root on top) of all threads merged,
 * of one logical thread or of every fiber of one name, with zoom, search, tooltips (self and total
 * time), the thread list, and the selection's running, waiting and ready time and wait sites.
 */
export function toHtml(profile: Profile, options: HtmlOptions = {}): string {
  const data = toHtmlData(profile, options);
  const title = escapeHtml(data.title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="fiberscope">
<title>${title}</title>
<style>${HTML_STYLE}</style>
</head>
<body>
<header>
<h1>${title}</h1>
<span id="summary"></span>
</header>
<div class="controls">
<label>Thread <select id="thread"><option value="all">All threads</option></select></label>
<label><input type="checkbox" id="hide-idle"> Hide (idle)</label>
<input type="search" id="search" placeholder="Search functions or files" autocomplete="off">
<span id="matched"></span>
</div>
<div id="selection"></div>
<details id="thread-list" open>
<summary>Threads</summary>
<table>
<thead><tr><th>Thread</th><th>Kind</th><th>Samples</th><th>CPU ms</th><th>Wall ms</th><th>Wait ms</th><th>Ready ms</th><th>Waits most at</th></tr></thead>
<tbody id="threads"></tbody>
</table>
</details>
<nav id="crumbs"></nav>
<main><div id="flame"></div></main>
<div id="tip" role="tooltip"></div>
<noscript>The flame graph needs JavaScript.</noscript>
<script type="application/json" id="fiberscope-data">${scriptSafeJson(data)}</script>
<script>
${htmlScript()}</script>
</body>
</html>
`;
}
