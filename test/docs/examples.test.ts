import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/child';
import {
  anchors,
  type Example,
  extractExamples,
  groupsMatch,
  howToRun,
  outputLines,
  outputMatches,
  relativeLinks,
  statedOutputs,
  transcript,
  withoutNodeLines,
} from './examples';

/** README.md and every Markdown file under docs/. */
function markdownFiles(): string[] {
  const files = ['README.md'];
  const walk = (dir: string) => {
    const entries = readdirSync(join(repoRoot, dir), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  walk('docs');
  return files;
}

const pages = markdownFiles().map((file) => {
  const blocks = extractExamples(readFileSync(join(repoRoot, file), 'utf8'), file);
  return {
    file,
    examples: blocks.filter((example) => example.lang === 'js'),
    transcripts: blocks.flatMap((example) => {
      const steps = example.lang === 'sh' ? transcript(example.code) : undefined;
      return steps ? [{ example, steps }] : [];
    }),
  };
});
const all = [
  ...pages.flatMap((page) => page.examples),
  ...pages.flatMap((page) => page.transcripts.map((t) => t.example)),
];
const skipped = all.filter((example) => example.skip !== undefined);

// The examples run in one directory, which what they print names /tmp/ex (as the docs do), with
// fiberscope installed in its node_modules as npm installs it (a copy of the built package:
// package.json, dist, src for dist's source maps, the addon), so that fiberscope's frames read
// /tmp/ex/node_modules/fiberscope/dist/...; its dependencies (pino) resolve through NODE_PATH and
// the fiberscope command is on PATH. The js examples run first, in the order of the pages, then
// the shell transcripts, which can use the files the js examples were saved as
// (`node pino-example.js`).
const sandbox = mkdtempSync(join(tmpdir(), 'fiberscope-docs-'));
const dir = join(sandbox, 'ex');
const installed = join(dir, 'node_modules', 'fiberscope');
for (const part of ['package.json', 'dist', 'src', 'build/Release/fiberscope.node']) {
  cpSync(join(repoRoot, part), join(installed, part), { recursive: true });
}
mkdirSync(join(sandbox, 'bin'));
writeFileSync(
  join(sandbox, 'bin', 'fiberscope'),
  `#!/bin/sh\nexec "${process.execPath}" "${join(installed, 'dist', 'cli', 'main.js')}" "$@"\n`,
  { mode: 0o755 },
);
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

const env = {
  ...process.env,
  NODE_PATH: join(repoRoot, 'node_modules'),
  NO_COLOR: '1',
  PATH: `${join(sandbox, 'bin')}:${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
};
const shown = (text: string) => text.split(dir).join('/tmp/ex');

function run(example: Example) {
  const { name, nodeArgs } = howToRun(example);
  writeFileSync(join(dir, name), `${example.code}\n`);
  const result = spawnSync(process.execPath, [...nodeArgs, name], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
    env,
    detached: true,
  });
  endGroup(result.pid);
  return { status: result.status, stdout: shown(result.stdout), stderr: shown(result.stderr) };
}

/** Ends what an example left running (a server it started, when it was killed at its time
 *  limit): it ran in a process group of its own. Such a process would hold its port for the
 *  examples run next, on this Node and the next. */
function endGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Nothing left.
  }
}

/** Runs a transcript's command in bash, its stderr in the same stream as its stdout. */
function runCommand(command: string) {
  const result = spawnSync('bash', ['-c', `exec 2>&1\n${command}`], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
    killSignal: 'SIGKILL',
    env,
    detached: true,
  });
  endGroup(result.pid);
  return shown(result.stdout);
}

describe('the examples of README.md and docs/', () => {
  it('finds the examples, and lists the skipped ones with their reasons', () => {
    expect(all.length).toBeGreaterThan(50);
    const list = skipped.map((e) => `  ${e.file}:${e.line}: ${e.skip}`).join('\n');
    console.log(`${all.length - skipped.length} examples run, ${skipped.length} skipped:\n${list}`);
    for (const example of skipped) expect(example.skip).not.toBe('no reason given');
  });

  for (const page of pages) {
    if (page.examples.length === 0) continue;
    describe(page.file, () => {
      for (const example of page.examples) {
        const name = `line ${example.line}`;
        if (example.skip !== undefined) {
          it.skip(`${name} (${example.skip})`, () => {});
          continue;
        }
        it(name, () => {
          const result = run(example);
          const printed = outputLines(result.stdout).map(withoutNodeLines);
          const report = `${example.file}:${example.line} printed:\n${result.stdout}\nstderr:\n${result.stderr}`;
          expect(result.status, report).toBe(example.exit);
          const stated = statedOutputs(example.code).map((group) => group.map(withoutNodeLines));
          const output = example.output;
          if (output !== undefined) {
            const expected = outputLines(output).map(withoutNodeLines);
            expect(
              outputMatches(expected, printed),
              `${report}\nstated (output block):\n${output}`,
            ).toBe(true);
          } else {
            const text = stated.map((group) => group.join('\n')).join('\n');
            expect(groupsMatch(stated, printed), `${report}\nstated (// →):\n${text}`).toBe(true);
          }
        });
      }
    });
  }
});

describe('the shell transcripts of README.md and docs/', () => {
  for (const page of pages) {
    if (page.transcripts.length === 0) continue;
    describe(page.file, () => {
      for (const { example, steps } of page.transcripts) {
        const name = `line ${example.line}`;
        if (example.skip !== undefined) {
          it.skip(`${name} (${example.skip})`, () => {});
          continue;
        }
        it(name, () => {
          for (const step of steps) {
            if ('file' in step) {
              writeFileSync(join(dir, step.file), step.content);
              continue;
            }
            const printed = outputLines(runCommand(step.command)).map(withoutNodeLines);
            const expected = step.expected.map(withoutNodeLines);
            expect(
              outputMatches(expected, printed),
              `${example.file}:${example.line}: $ ${step.command}\nprinted:\n${printed.join('\n')}\nstated:\n${expected.join('\n')}`,
            ).toBe(true);
          }
        });
      }
    });
  }
});

describe('the links of README.md and docs/', () => {
  it('lead to files of the repository, and to headings there', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(join(repoRoot, page.file), 'utf8');
      for (const link of relativeLinks(text)) {
        const [path = '', anchor] = link.split('#');
        const target = path === '' ? page.file : normalize(join(dirname(page.file), path));
        if (target.startsWith('..') || !existsSync(join(repoRoot, target))) {
          broken.push(`${page.file}: ${link} (no such file in the repository)`);
        } else if (anchor !== undefined && target.endsWith('.md')) {
          if (!anchors(readFileSync(join(repoRoot, target), 'utf8')).has(anchor)) {
            broken.push(`${page.file}: ${link} (no such heading)`);
          }
        }
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('the example checker', () => {
  it('reads directives and stated outputs', () => {
    const md = [
      '<!-- example: skip (needs a server) -->',
      '```js',
      'fetch(url)',
      '```',
      '<!-- example: exit (3) -->',
      '```js',
      'console.log(1); // → 1',
      'console.log({ a: 1 });',
      '// → { a: 1 }',
      'console.log("x\\ny"); // → x',
      '// → y',
      '```',
      '<!-- example: output -->',
      '```text',
      '1',
      '```',
    ].join('\n');
    const [skippedOne, ran] = extractExamples(md, 'x.md');
    expect(skippedOne?.skip).toBe('needs a server');
    expect(ran?.exit).toBe(3);
    expect(ran?.output).toBe('1');
    expect(statedOutputs(ran?.code ?? '')).toEqual([['1'], ['{ a: 1 }'], ['x', 'y']]);
  });

  it('matches wildcards, and groups in any order but whole', () => {
    expect(outputMatches(['a ... c'], ['a b c'])).toBe(true);
    expect(outputMatches(['a', '...', 'd'], ['a', 'b', 'c', 'd'])).toBe(true);
    expect(outputMatches(['a', 'b'], ['a', 'c'])).toBe(false);
    expect(outputMatches(['a'], ['a', 'extra'])).toBe(false);
    expect(groupsMatch([['a'], ['b', 'c']], ['b', 'c', 'a'])).toBe(true);
    expect(groupsMatch([['a'], ['b', 'c']], ['b', 'a', 'c'])).toBe(false);
    expect(groupsMatch([['a'], ['b']], ['a', 'b', 'b'])).toBe(false);
    expect(groupsMatch([['a']], ['a', 'unstated'])).toBe(false);
    expect(groupsMatch([], [])).toBe(true);
    expect(groupsMatch([['a', '...'], ['z']], ['z', 'a', 'b', 'c'])).toBe(true);
    expect(
      statedOutputs('f();\n// Node 20 and 22 → old\n// Node 24 and 26 → new', '22.1.0'),
    ).toEqual([['old']]);
    expect(
      statedOutputs('f();\n// Node 20 and 22 → old\n// Node 24 and 26 → new', '24.0.0'),
    ).toEqual([['new']]);
  });

  it('runs an example as the file its first line names, with its flags', () => {
    const example = (code: string): Example => ({
      file: 'x.md',
      line: 1,
      lang: 'js',
      code,
      exit: 0,
    });
    expect(howToRun(example('// node --expose-gc collect.js\ngc()'))).toEqual({
      name: 'collect.js',
      nodeArgs: ['--expose-gc'],
    });
    expect(howToRun(example('// model.js\nmodule.exports = 1'))).toEqual({
      name: 'model.js',
      nodeArgs: [],
    });
    expect(howToRun(example('x // → at f (/tmp/ex/app.js:1:1)')).name).toBe('app.js');
    expect(transcript('$ cat a.js\nx()\n$ node a.js\nok')).toEqual([
      { file: 'a.js', content: 'x()\n' },
      { command: 'node a.js', expected: ['ok'] },
    ]);
    expect(transcript('node -e "f()"   # → kernel')).toEqual([
      { command: 'node -e "f()"', expected: ['kernel'] },
    ]);
    expect(transcript('npm install fiberscope')).toBeUndefined();
    expect([...anchors('# A\n## `fiberscope/stitch`\n### new Fiber(fn[, options])\n## A')]).toEqual(
      ['a', 'fiberscopestitch', 'new-fiberfn-options', 'a-1'],
    );
    expect(relativeLinks('[a](docs/x.md#y) [b](https://x.org) `[c](no)`')).toEqual(['docs/x.md#y']);
    expect(withoutNodeLines('    at listOnTimeout (node:internal/timers:581:17)')).toBe(
      '    at listOnTimeout (node:internal/timers:L:C)',
    );
  });
});
