// The parked fiber server of the diagnostics tests (fixtures/server.js) and what the tests
// expect of it: its TypeScript part compiled with a source map, the lines of its wait sites.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020';
import ts from 'typescript';
import { beforeAll, expect } from 'vitest';
import type { FiberDump } from '../../src/diagnostics/model';
import { repoRoot } from '../helpers/child';
import { startInspected } from '../helpers/inspector';

export const serverJs = fileURLToPath(new URL('./fixtures/server.js', import.meta.url));
const ordersTs = fileURLToPath(new URL('./fixtures/orders.ts', import.meta.url));

/** The 1-based line of `file` that holds `marker`. */
export function lineOf(file: string, marker: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(marker));
  if (index === -1) throw new Error(`no "${marker}" in ${file}`);
  return index + 1;
}

export const sites = {
  query: lineOf(ordersTs, 'orders.ts: query waits'),
  loadOrder: lineOf(ordersTs, 'orders.ts: loadOrder calls'),
  users: lineOf(serverJs, 'server.js: users wait'),
  cron: lineOf(serverJs, 'server.js: cron waits'),
  hog: lineOf(serverJs, 'server.js: hog spins'),
};

/** Compiles orders.ts into `dir` with a source map (as orders.js beside orders.ts, so that the
 *  mapped frames name `dir`/orders.ts); returns the .js path. */
export function compileOrders(dir: string): string {
  const output = ts.transpileModule(readFileSync(ordersTs, 'utf8'), {
    fileName: 'orders.ts',
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      sourceMap: true,
    },
  });
  const js = path.join(dir, 'orders.js');
  writeFileSync(js, output.outputText);
  writeFileSync(`${js}.map`, output.sourceMapText ?? '');
  return js;
}

const schema = JSON.parse(
  readFileSync(path.join(repoRoot, 'docs', 'api', 'fiber-dump.schema.json'), 'utf8'),
);
// `format` is left to the test (Date.parse): Ajv checks formats only with ajv-formats.
const validate = new Ajv2020({ allErrors: true, validateFormats: false }).compile(schema);

/** Throws with Ajv's errors unless `dump` matches docs/api/fiber-dump.schema.json. */
export function assertDumpSchema(dump: unknown): void {
  if (!validate(dump)) {
    throw new Error(`not a FiberDump: ${JSON.stringify(validate.errors?.slice(0, 5), null, 2)}`);
  }
}

/** Compiles orders.ts into `dir` before the tests of the file that calls this; `ordersJs` and
 *  `ordersTs` are then the compiled file and the path its mapped frames name. */
export function compiledOrders(dir: string): { ordersJs: string; ordersTs: string } {
  const paths = { ordersJs: '', ordersTs: path.join(dir, 'orders.ts') };
  beforeAll(() => {
    paths.ordersJs = compileOrders(dir);
  });
  return paths;
}

/** Starts fixtures/server.js with `args` after the compiled orders.js (see startFixture). */
export function startServer(
  ordersJs: string,
  args: string[],
  options: { inspect?: boolean } = {},
): Promise<Server> {
  return startFixture(serverJs, [ordersJs, ...args], options);
}

export interface Server {
  child: ChildProcess;
  /** The inspector's port, when started with one. */
  port: number;
  stdout(): string;
  /** Resolves once stdout holds `text` `times` times. */
  printed(text: string, times?: number): Promise<void>;
  kill(): void;
}

/** Starts `fixture` (a path) with `args`; resolves once it prints `ready` (and, with `inspect`,
 *  its inspector listens on a free port). Killed after 30 s whatever happens. */
export async function startFixture(
  fixture: string,
  args: string[],
  { inspect = false } = {},
): Promise<Server> {
  const { child, port } = inspect
    ? await startInspected(pathToFileURL(fixture), { args, stdout: 'pipe' })
    : {
        child: spawn(process.execPath, [fixture, ...args], {
          cwd: repoRoot,
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
        port: 0,
      };
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  child.once('exit', () => clearTimeout(killTimer));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const printed = (text: string, times = 1) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stdout.split(text).length - 1 >= times) resolve();
        else if (child.exitCode !== null || child.signalCode !== null) {
          reject(new Error(`${fixture} ended (${child.exitCode ?? child.signalCode}): ${stderr}`));
        } else setTimeout(check, 20);
      };
      check();
    });
  await printed('ready');
  return {
    child,
    port,
    stdout: () => stdout,
    printed,
    kill: () => child.kill('SIGKILL'),
  };
}

/** The three groups the server's fibers make, as the tests expect them. */
export function expectServerGroups(dump: FiberDump, ordersTsPath: string): void {
  const groups = dump.groups.filter((group) => group.state !== 'running');
  expect(groups.map((group) => [group.count, group.state])).toEqual([
    [200, 'waiting'],
    [60, 'waiting'],
    [20, 'suspended'],
  ]);
  const [orders, users, cron] = groups;
  expect(orders.frames.slice(0, 2)).toMatchObject([
    { functionName: 'query', file: ordersTsPath, line: sites.query },
    { functionName: 'loadOrder', file: ordersTsPath, line: sites.loadOrder },
  ]);
  expect(orders.nameCount).toBe(200);
  expect(orders.spawnChain[0].frames[0]).toMatchObject({ file: serverJs });
  expect(users.frames[0]).toMatchObject({
    functionName: 'sleepForever',
    file: serverJs,
    line: sites.users,
  });
  expect(users.names).toEqual([{ name: 'GET /users', count: 60 }]);
  expect(cron.frames[0]).toMatchObject({
    functionName: 'cronJob',
    file: serverJs,
    line: sites.cron,
  });
  for (const group of groups) {
    expect(group.medianStateMs).toBeGreaterThan(0);
    expect(group.maxStateMs).toBeGreaterThanOrEqual(group.medianStateMs ?? 0);
  }
  expect(dump.fibers.filter((fiber) => fiber.state !== 'running')).toHaveLength(280);
}
