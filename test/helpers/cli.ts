// The `fiberscope` command as the CLI tests run it: the built CLI, and a scratch folder per test
// file.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { repoRoot } from './child';

export const cli = path.join(repoRoot, 'dist', 'cli', 'main.js');

export interface CliOptions {
  input?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs `fiberscope ...args` to its end (killed after 30 s unless told otherwise). */
export function runCli(args: string[], options: CliOptions = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    input: options.input,
    cwd: options.cwd,
    env: options.env,
    timeout: options.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
  });
}

/** A folder of its own for a test file, removed after its tests; `file()` writes into it. */
export function scratchDir(prefix: string): {
  dir: string;
  file(name: string, text: string): string;
} {
  const dir = mkdtempSync(path.join(tmpdir(), `fiberscope-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    file(name, text) {
      const out = path.join(dir, name);
      writeFileSync(out, text);
      return out;
    },
  };
}
