// The one-way layers of src/ (scripts/check-layers.js, run by `npm run lint`).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, runFixture } from './helpers/child';

const { checkLayers } = require(path.join(repoRoot, 'scripts', 'check-layers.js')) as {
  checkLayers(srcDir: string): string[];
};

let tree: string | undefined;
afterEach(() => {
  if (tree !== undefined) fs.rmSync(tree, { recursive: true, force: true });
  tree = undefined;
});

function sourceTree(files: Record<string, string>): string {
  tree = fs.mkdtempSync(path.join(os.tmpdir(), 'fiberscope-layers-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(tree, name)), { recursive: true });
    fs.writeFileSync(path.join(tree, name), text);
  }
  return tree;
}

describe('check-layers', () => {
  it('passes src/ as it is', () => {
    expect(checkLayers(path.join(repoRoot, 'src'))).toEqual([]);
  });

  it('reports the runtime reaching up, in every form of import', () => {
    const src = sourceTree({
      'fiber/fiber.ts': [
        "import { stitchRunError } from '../stitch/capture';",
        "import '../entry/setup';",
        "const profiler = () => require('../profiler');",
        "const repl = () => import('../repl/target');",
        "import { binding } from './native';",
      ].join('\n'),
      'fiber/native.ts': '',
      'stitch/capture.ts': "import { hooks } from '../fiber/hooks';",
    });
    expect(checkLayers(src).map((line) => line.replace(/^.*fiber\.ts/, 'fiber.ts'))).toEqual([
      "fiber.ts:1: fiber imports stitch ('../stitch/capture')",
      "fiber.ts:2: fiber imports entry ('../entry/setup')",
      "fiber.ts:3: fiber imports profiler ('../profiler')",
      "fiber.ts:4: fiber imports repl ('../repl/target')",
    ]);
  });

  it('fails the lint step with the offending lines', () => {
    const src = sourceTree({ 'stitch/pino.ts': "import { start } from '../repl/start';" });
    const child = spawnSync(process.execPath, ['scripts/check-layers.js', src], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(child.status).toBe(1);
    expect(child.stderr).toContain("stitch/pino.ts:1: stitch imports repl ('../repl/start')");
  });
});

describe('entry points', () => {
  it('the runtime alone changes no stack and installs nothing; an entry point sets both up', () => {
    const child = runFixture(new URL('./fixtures/runtime-before-entry.js', import.meta.url));
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      plain: { prepareStackTrace: true, hook: false, stitched: false },
      entry: { prepareStackTrace: false, hook: true, stitched: true },
    });
  });
});
