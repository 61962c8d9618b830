import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import CDP from 'chrome-remote-interface';
import { repoRoot } from './child';

export type InspectorClient = Awaited<ReturnType<typeof CDP>>;

export interface InspectedChild {
  client: InspectorClient;
  /** What the child printed so far. */
  stdout(): string;
  /** Resolves with the exit code once the child prints a line and the client disconnects:
   *  Node waits at exit for an attached debugger to go away. */
  finish(): Promise<number | null>;
}

/** A program for a child Node: a fixture file (`new URL('./fixtures/x.js', import.meta.url)`),
 *  or the source of one for `-e`. */
export type Program = URL | string;

const programArgs = (program: Program): string[] =>
  program instanceof URL ? [fileURLToPath(program)] : ['-e', program];

/**
 * Runs `program` in a child `node --inspect=127.0.0.1:0`, connects chrome-remote-interface to it
 * and hands both to `use`. The child is killed after 20 s whatever happens.
 */
export async function withInspectedChild(
  program: Program,
  use: (child: InspectedChild) => Promise<void>,
): Promise<void> {
  const { child, port } = await startInspected(program, { stdout: 'pipe' });
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    let stdout = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const client = await CDP({ host: '127.0.0.1', port });
    try {
      await use({
        client,
        stdout: () => stdout,
        finish: async () => {
          while (!stdout.includes('\n')) await new Promise((resolve) => setTimeout(resolve, 10));
          await client.close();
          return exited;
        },
      });
    } finally {
      await client.close().catch(() => {});
    }
  } finally {
    clearTimeout(killTimer);
    child.kill('SIGKILL');
  }
}

/**
 * Starts `node [flags] --inspect=127.0.0.1:0 program [args]` from the repository root; resolves
 * with the child and its inspector port once it listens. The caller kills the child. Its stdout
 * is dropped unless `stdout: 'pipe'`.
 */
export async function startInspected(
  program: Program,
  options: { flags?: string[]; args?: string[]; stdout?: 'ignore' | 'pipe' } = {},
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawnProcess(
    process.execPath,
    [
      ...(options.flags ?? []),
      '--inspect=127.0.0.1:0',
      ...programArgs(program),
      ...(options.args ?? []),
    ],
    { cwd: repoRoot, stdio: ['ignore', options.stdout ?? 'ignore', 'pipe'] },
  );
  // A child that neither listens nor exits is killed, and so rejects.
  const unheard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const port = await new Promise<number>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
      const match = /ws:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error(`the target exited early: ${stderr}`)));
  }).finally(() => clearTimeout(unheard));
  return { child, port };
}
