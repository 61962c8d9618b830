import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface ChildOptions {
  args?: string[];
  nodeArgs?: string[];
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** A limit on the child's address space (ulimit -v), which thread stacks run into. */
  addressSpaceKb?: number;
}

/** Runs `source` as a CommonJS program in a child Node (with the package resolvable by name),
 *  killing it after `timeoutMs`. */
export function runScript(source: string, options: ChildOptions = {}): ChildResult {
  return runNode(['-e', source], options);
}

/** Runs a fixture program (a file beside the test: `new URL('./fixtures/x.js', import.meta.url)`)
 *  in a child Node, as runScript() does. */
export function runFixture(fixture: URL | string, options: ChildOptions = {}): ChildResult {
  return runNode([fixture instanceof URL ? fileURLToPath(fixture) : fixture], options);
}

function runNode(program: string[], options: ChildOptions): ChildResult {
  const started = Date.now();
  const nodeArgs = [...(options.nodeArgs ?? []), ...program, ...(options.args ?? [])];
  const limited = options.addressSpaceKb !== undefined;
  const result = spawnSync(
    limited ? 'bash' : process.execPath,
    limited
      ? [
          '-c',
          `ulimit -v ${options.addressSpaceKb} && exec "$0" "$@"`,
          process.execPath,
          ...nodeArgs,
        ]
      : nodeArgs,
    {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 20_000,
      killSignal: 'SIGKILL',
      env: { ...process.env, ...options.env },
    },
  );
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
    ms: Date.now() - started,
  };
}

/** Runs `node ...args` without blocking this process (for children that talk to processes this
 *  one runs), `input` piped to its stdin, killed after `timeoutMs`; `started` sees the child. */
export function runNodeAsync(
  args: string[],
  options: {
    cwd?: string;
    input?: string;
    timeoutMs?: number;
    started?: (child: ChildProcess) => void;
  } = {},
): Promise<Omit<ChildResult, 'signal' | 'ms'>> {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  options.started?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  return new Promise((resolve) => {
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Node 22 (from 22.7) keeps AsyncLocalStorage in V8's continuation-preserved embedder data, as
 *  Node 24 always does, behind this flag: passed where the node running the tests knows it. */
export const asyncContextFrameFlag: string[] = process.allowedNodeEnvironmentFlags.has(
  '--experimental-async-context-frame',
)
  ? ['--experimental-async-context-frame']
  : [];
