// fiberscope's own files, as the built package sees them: dist/, and src/ for mapped frames.
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as OwnFiles from '../../src/util/own-files';
import { repoRoot, runFixture } from '../helpers/child';

const { OWN_DIR, isOwnFile, isOwnFrame } = createRequire(import.meta.url)(
  '../../dist/util/own-files.js',
) as typeof OwnFiles;

const dist = path.join(repoRoot, 'dist');
const src = path.join(repoRoot, 'src');

describe('OWN_DIR', () => {
  it('is the directory of the running code, with a trailing separator', () => {
    expect(OWN_DIR).toBe(dist + path.sep);
  });
});

describe('isOwnFile', () => {
  it('takes the files under dist/, at any depth', () => {
    expect(isOwnFile(path.join(dist, 'fiber', 'wait.js'))).toBe(true);
    expect(isOwnFile(path.join(dist, 'fiber', 'compat', 'future.js'))).toBe(true);
  });

  it('leaves out everything else: a sibling with the same prefix, sources, other code', () => {
    expect(isOwnFile(`${dist}-old${path.sep}fiber${path.sep}wait.js`)).toBe(false);
    expect(isOwnFile(dist)).toBe(false);
    expect(isOwnFile(path.join(src, 'fiber', 'wait.ts'))).toBe(false);
    expect(isOwnFile(path.join(repoRoot, 'examples', 'kitchen', 'main.js'))).toBe(false);
    expect(isOwnFile('node:internal/timers')).toBe(false);
    expect(isOwnFile('')).toBe(false);
  });
});

describe('isOwnFrame', () => {
  it('takes a line naming a running file or the source it maps to, wherever it stands', () => {
    const wait = path.join(dist, 'fiber', 'wait.js');
    expect(isOwnFrame(`    at wait (${wait}:12:3)`)).toBe(true);
    expect(isOwnFrame(`    at ${wait}:12:3`)).toBe(true);
    expect(isOwnFrame(`    at wait (${path.join(src, 'fiber', 'wait.ts')}:20:5)`)).toBe(true);
    expect(isOwnFrame(path.join(src, 'stitch', 'capture.ts'))).toBe(true);
  });

  it('leaves out other frames', () => {
    expect(isOwnFrame(`    at main (${path.join(repoRoot, 'examples', 'main.js')}:1:1)`)).toBe(
      false,
    );
    expect(isOwnFrame(`    at f (${dist}-old${path.sep}x.js:1:1)`)).toBe(false);
    expect(
      isOwnFrame(
        '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      ),
    ).toBe(false);
  });

  it("matches the frames of fiberscope's own functions in a real stack", () => {
    const result = runFixture(new URL('./fixtures/own-frames.js', import.meta.url));
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ own: true, last: false });
  });
});
