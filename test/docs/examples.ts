/** The code examples of the README and docs/, as test/docs/examples.test.ts runs them: see
 *  "Examples are tested" in docs/README.md for the convention this implements. */

export interface Example {
  /** The Markdown file, relative to the repository. */
  file: string;
  /** The line of the opening fence (1-based). */
  line: number;
  lang: string;
  code: string;
  /** `<!-- example: skip (reason) -->`: the reason. */
  skip?: string;
  /** `<!-- example: exit (N) -->`: the exit status it ends with (else 0). */
  exit: number;
  /** A ```text block marked `<!-- example: output -->` right after it: the whole output. */
  output?: string;
}

const directive = /^<!--\s*example:\s*(skip|exit|output)\b\s*(?:\((.*)\))?\s*-->$/;

/** The fenced code blocks of a Markdown text, with the directives that precede them. */
export function extractExamples(markdown: string, file: string): Example[] {
  const lines = markdown.split('\n');
  const examples: Example[] = [];
  let pending: { kind: string; reason: string | undefined }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    const trimmed = text.trim();
    const marker = directive.exec(trimmed);
    if (marker) {
      pending.push({ kind: marker[1] ?? '', reason: marker[2] });
      continue;
    }
    if (trimmed.startsWith('<!--') && trimmed.includes('example:')) {
      throw new Error(`${file}:${i + 1}: unknown example directive ${trimmed}`);
    }
    const fence = /^(\s*)```(\S*)\s*$/.exec(text);
    if (!fence) {
      if (trimmed !== '') pending = [];
      continue;
    }
    const indent = fence[1]?.length ?? 0;
    const lang = fence[2] ?? '';
    const body: string[] = [];
    const start = i;
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i] ?? ''); i++) {
      body.push((lines[i] ?? '').slice(indent));
    }
    if (i >= lines.length) throw new Error(`${file}:${start + 1}: unclosed code block`);
    const code = body.join('\n');
    const skip = pending.find((d) => d.kind === 'skip');
    if (pending.some((d) => d.kind === 'output')) {
      const previous = examples[examples.length - 1];
      if (previous?.lang !== 'js' || lang !== 'text') {
        throw new Error(
          `${file}:${start + 1}: an output block must be a text block after a js block`,
        );
      }
      previous.output = code;
    } else {
      examples.push({
        file,
        line: start + 1,
        lang,
        code,
        exit: Number(pending.find((d) => d.kind === 'exit')?.reason ?? 0),
        ...(skip ? { skip: skip.reason ?? 'no reason given' } : {}),
      });
    }
    pending = [];
  }
  return examples;
}

/** The outputs an example states: the text after each `// →`, in groups. A `// →` after code
 *  starts a group (what that line prints); one alone on its line continues the group of the
 *  `// →` line right above it, or starts a group (what the statement above prints).
 *  `// Node 20 and 22 → text` states an output on those Node versions only (major `node`). */
export function statedOutputs(code: string, node = process.versions.node): string[][] {
  const major = node.split('.')[0] ?? '';
  const groups: string[][] = [];
  let previousStated = false;
  for (const line of code.split('\n')) {
    const match = /^(.*?)\/\/ (?:Node ([\d, and]+?) *)?→(?: (.*))?$/.exec(line);
    if (!match) {
      previousStated = false;
      continue;
    }
    const versions = match[2];
    if (versions !== undefined && !versions.split(/\D+/).includes(major)) continue;
    const text = (match[3] ?? '').trimEnd();
    const current = groups[groups.length - 1];
    if (current && previousStated && (match[1] ?? '').trim() === '') current.push(text);
    else groups.push([text]);
    previousStated = true;
  }
  return groups;
}

/** Whether the printed lines are the stated groups, each printed once and whole, in any order
 *  (fibers and callbacks interleave). */
export function groupsMatch(groups: string[][], actual: string[]): boolean {
  const memo = new Set<string>();
  const search = (used: boolean[], at: number): boolean => {
    if (at === actual.length) return used.every(Boolean);
    const key = `${used.map(Number).join('')},${at}`;
    if (memo.has(key)) return false;
    memo.add(key);
    return groups.some((group, g) => {
      if (used[g]) return false;
      // A group with a `...` line spans any number of lines; any other, its own number.
      const ends = group.includes('...')
        ? Array.from({ length: actual.length - at + 1 }, (_, i) => at + i)
        : [at + group.length];
      return ends.some((end) => {
        if (end > actual.length || !outputMatches(group, actual.slice(at, end))) return false;
        const next = [...used];
        next[g] = true;
        return search(next, end);
      });
    });
  };
  return search(
    groups.map(() => false),
    0,
  );
}

function linePattern(expected: string): RegExp {
  const parts = expected.split('...').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}

/** Whether the printed lines are the expected ones: `...` within a line matches any text, and a
 *  line that is `...` alone matches any number of lines. */
export function outputMatches(expected: string[], actual: string[]): boolean {
  const memo = new Map<string, boolean>();
  const match = (e: number, a: number): boolean => {
    const key = `${e},${a}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (e === expected.length) result = a === actual.length;
    else if (expected[e] === '...')
      result = match(e + 1, a) || (a < actual.length && match(e, a + 1));
    else {
      result =
        a < actual.length &&
        linePattern(expected[e] ?? '').test(actual[a] ?? '') &&
        match(e + 1, a + 1);
    }
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

/** The lines of a program's output, without the newline that ends the last. */
export function outputLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => line.trimEnd());
}

/** Node's own files: their line numbers differ between Node versions, and are not compared. */
export function withoutNodeLines(line: string): string {
  return line
    .replace(/\((node:[\w/]+):\d+:\d+\)/g, '($1:L:C)')
    .replace(/at (node:[\w/]+):\d+:\d+/g, 'at $1:L:C');
}

/** How an example runs: a first line `// node [flags] <name>.js` gives its flags and file name,
 *  one `// <name>.js` its file name (a file later examples of the page can require); else the
 *  `/tmp/ex/<name>.js` its stated output names, else `example.js`. */
export function howToRun(example: Example): { name: string; nodeArgs: string[] } {
  const first = example.code.split('\n')[0] ?? '';
  const command = /^\/\/ node ((?:\S+ )*)([\w-]+\.js)$/.exec(first);
  if (command) {
    const nodeArgs = (command[1] ?? '').split(' ').filter((arg) => arg !== '');
    return { name: command[2] ?? 'example.js', nodeArgs };
  }
  const file = /^\/\/ ([\w-]+\.js)$/.exec(first);
  if (file) return { name: file[1] ?? 'example.js', nodeArgs: [] };
  const named = /\/tmp\/ex\/([\w-]+\.js)/.exec(`${example.code}\n${example.output ?? ''}`);
  return { name: named?.[1] ?? 'example.js', nodeArgs: [] };
}

/** One step of a shell transcript: a file written by `$ cat name`, or a command and its output. */
export type Step = { file: string; content: string } | { command: string; expected: string[] };

/** A ```sh block as a transcript, or undefined when it is not one (commands shown, not run).
 *  `$ command` lines are run, the lines after them are what they print (stdout and stderr);
 *  `$ cat name` followed by lines writes that file; a line `command  # → text` states the one
 *  line the command prints. */
export function transcript(code: string): Step[] | undefined {
  const lines = code.split('\n');
  if (lines.some((line) => line.startsWith('$ '))) {
    const steps: Step[] = [];
    for (const line of lines) {
      const cat = /^\$ cat ([\w.-]+)$/.exec(line);
      if (cat) steps.push({ file: cat[1] ?? '', content: '' });
      else if (line.startsWith('$ ')) steps.push({ command: line.slice(2), expected: [] });
      else {
        const step = steps[steps.length - 1];
        if (!step) throw new Error(`a transcript starts with a $ line, not ${line}`);
        if ('file' in step) step.content += `${line}\n`;
        else step.expected.push(line.trimEnd());
      }
    }
    return steps;
  }
  const stated = lines.map((line) => /^(.*?)\s+# → (.*)$/.exec(line));
  if (!stated.some(Boolean)) return undefined;
  return stated.flatMap((match) =>
    match ? [{ command: match[1] ?? '', expected: [(match[2] ?? '').trimEnd()] }] : [],
  );
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown text's headings (outside code blocks), as GitHub numbers repeats. */
export function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  let inCode = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) inCode = !inCode;
    const heading = inCode ? null : /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const base = headingAnchor(heading[1] ?? '');
    let anchor = base;
    for (let n = 1; found.has(anchor); n++) anchor = `${base}-${n}`;
    found.add(anchor);
  }
  return found;
}

/** The relative links of a Markdown text (not in code blocks or code spans): [text](target). */
export function relativeLinks(markdown: string): string[] {
  const links: string[] = [];
  let inCode = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) inCode = !inCode;
    if (inCode) continue;
    for (const match of line.replace(/`[^`]*`/g, '``').matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1] ?? '';
      if (!/^[a-z]+:/i.test(target)) links.push(target);
    }
  }
  return links;
}
