// `fiberscope repl`, driven in a real terminal (tmux) as a person would use it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/child';
import { cli } from '../helpers/cli';
import { startInspected } from '../helpers/inspector';
import { skipAllUnless } from '../helpers/requirements';
import { pause, Terminal, tmuxMissing } from '../helpers/terminal';

const home = mkdtempSync(path.join(tmpdir(), 'fiberscope-repl-home-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

let terminal: Terminal | undefined;
const children: ChildProcess[] = [];
afterEach(() => {
  terminal?.close();
  terminal = undefined;
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function repl(args = ''): Terminal {
  terminal = Terminal.start(`cd ${JSON.stringify(repoRoot)} && node ${cli} repl ${args}`, {
    HOME: home,
  });
  return terminal;
}

describe.skipIf(skipAllUnless('the terminal tests of fiberscope repl', tmuxMissing))(
  'fiberscope repl in a terminal',
  () => {
    it('waits, continues multi-line input, and Ctrl-C stops a wait and a busy loop', async () => {
      const term = repl();
      await term.waitFor('fiberscope>');
      term.type(
        'const sleep = (ms, value) => new Promise((resolve) => setTimeout(resolve, ms, value))',
      );
      term.type('wait(sleep(50, "row"))');
      await term.waitFor("'row'");
      term.type('function add(a, b) {');
      // The continuation prompt: `...`, or `|` on Node 24.
      await term.waitFor(/^(?:\.\.\.|\|)$/m);
      term.type('return a + b }');
      term.type('add(2, 3)');
      await term.waitFor(/^5$/m);

      term.type('try { wait(sleep(60000)) } finally { console.log("cleanup ran") }');
      await pause(500);
      term.press('C-c');
      await term.waitFor('cleanup ran');
      await term.waitFor('Uncaught Error: Script execution was interrupted by `SIGINT`');

      // A promise that nothing keeps alive: the REPL waits for it all the same.
      term.type('wait(new Promise(() => {}))');
      await pause(700);
      expect(term.screen()).not.toContain('[exit');
      term.press('C-c');
      await term.waitFor('interrupted by `SIGINT`', { count: 2 });

      term.type('let spins = 0; while (true) spins++');
      await pause(500);
      term.press('C-c');
      await term.waitFor('interrupted by `SIGINT`', { count: 3 });
      term.type('spins > 0');
      await term.waitFor(/^true$/m);

      // A top-level await that never settles: Node's REPL ends it on Ctrl-C.
      term.type('await new Promise(() => {})');
      await pause(500);
      term.press('C-c');
      await term.waitFor('interrupted by `SIGINT`', { count: 4 });
      term.type('"after the await"');
      await term.waitFor("'after the await'");

      term.type('new Fiber(function poll() { wait(sleep(60000)) }, { name: "GET /orders" }).run()');
      term.type('.fibers');
      const screen = await term.waitFor(/"GET \/orders" waiting/);
      expect(screen).toMatch(/at poll \(REPL\d+:1:\d+\)/);

      // Tab completion and the preview work as in Node's REPL.
      term.type('const completeMeLater = 41');
      term.press('c', 'o', 'm', 'p', 'l', 'e', 't', 'e', 'M', 'Tab');
      await term.waitFor('fiberscope> completeMeLater');
      term.press('+', '1');
      await term.waitFor(/fiberscope> completeMeLater\+1\n42/);
      term.press('Enter');
      await term.waitFor(/^42$/m);

      term.type('"from session one"');
      await term.waitFor("'from session one'");
      term.type('.exit');
      await term.waitFor('[exit 0]');
      const history = readFileSync(path.join(home, '.fiberscope_repl_history'), 'utf8');
      expect(history).toContain('add(2, 3)');
      expect(history).toContain('"from session one"');

      // A second session recalls the first one's lines.
      term.close();
      const second = repl();
      await second.waitFor('fiberscope>');
      second.press('Up');
      await pause(200);
      if (!second.screen().includes('"from session one"')) second.press('Up');
      second.press('Enter');
      await second.waitFor("'from session one'");
      // The next prompt, then Ctrl-C on its empty line, twice, exits as in Node's REPL.
      await second.waitFor('fiberscope>', { count: 2 });
      second.press('C-c');
      await second.waitFor('(To exit, press Ctrl+C again or Ctrl+D or type .exit)');
      second.press('C-c');
      await second.waitFor('[exit 0]');
    });

    it('shows lines typed while an input waits after their prompt, and hands a late Ctrl-C to the prompt', async () => {
      const term = repl();
      await term.waitFor('fiberscope>');
      term.type('process.pid');
      const pid = Number(/^(\d+)$/m.exec(await term.waitFor(/^\d+$/m))?.[1]);
      // The first input waits until the test sends SIGUSR2; the two lines after it are typed while
      // it waits (the terminal echoes them), one of them an input that waits too.
      term.type(
        'console.log("waiting"), wait(new Promise((resolve) => process.once("SIGUSR2", () => resolve("first"))))',
      );
      await term.waitFor(/^waiting$/m);
      term.type('wait(new Promise((resolve) => setTimeout(resolve, 20, "second")))');
      term.type('"third"');
      await term.waitFor(/^"third"$/m);
      process.kill(pid, 'SIGUSR2');
      const screen = await term.waitFor("'third'");
      // Each one shows after its prompt when its turn comes, as in `node`: echoed twice in all.
      expect(screen).toContain(
        `'first'\nfiberscope> wait(new Promise((resolve) => setTimeout(resolve, 20, "second")))\n'second'\nfiberscope> "third"\n'third'`,
      );
      expect(screen.split('"third"').length - 1).toBe(2);

      // A SIGINT that comes as an input ends (here from the input itself, once its code has run)
      // is Ctrl-C at the next prompt, not lost.
      term.type(
        'wait(new Promise((resolve) => setTimeout(resolve, 10))); process.nextTick(() => process.kill(process.pid, "SIGINT")); "answer"',
      );
      await term.waitFor(
        /'answer'\nfiberscope> ?\n\(To exit, press Ctrl\+C again or Ctrl\+D or type \.exit\)\nfiberscope>/,
      );
      term.type('"after"');
      await term.waitFor("'after'");
    });

    it('attaches to a process with the fiberscope runtime, and detaches when it dies', async () => {
      const target = await inspectedChild(new URL('./fixtures/orders-target.js', import.meta.url));
      const term = repl(`--attach 127.0.0.1:${target.port}`);
      await term.waitFor('each input runs in a fiber of the target');
      term.type('orders.find(7)');
      await term.waitFor('{ id: 7, total: 42 }');
      term.type('process.pid');
      await term.waitFor(new RegExp(`^${target.child.pid}$`, 'm'));
      // Typed ahead: the second input waits for the first, whose answer comes first.
      term.type('wait(new Promise((resolve) => setTimeout(resolve, 200, "slow")))');
      term.type('"fast"');
      const ordered = await term.waitFor("'fast'");
      expect(ordered.indexOf("'slow'")).toBeGreaterThan(0);
      expect(ordered.indexOf("'slow'")).toBeLessThan(ordered.indexOf("'fast'"));
      term.type('function load() { return wait(Promise.reject(new Error("remote failure"))) }');
      term.type('load()');
      await term.waitFor('Uncaught Error: remote failure');
      expect(term.screen()).toMatch(
        /--- fiber #\d+ "repl" waited here ---\n\s+at load \(REPL\d+:1:\d+\)/,
      );
      term.type('.fibers');
      await term.waitFor(
        /"GET \/orders" waiting[^\n]*\n\s+at serve \([^()\n]*orders-target\.js:12:/,
      );
      term.type('while (true) {}');
      await pause(500);
      term.press('C-c');
      await term.waitFor('interrupted by `SIGINT`');
      term.type('1 + 1');
      await term.waitFor(/^2$/m);
      target.child.kill('SIGKILL');
      await term.waitFor('The target went away: detaching.');
      await term.waitFor('[exit 1]');
    });

    it('attached, shows lines typed while an input waits after their prompt', async () => {
      const target = await inspectedChild(
        new URL('../fixtures/fiberscope-ready.js', import.meta.url),
        {
          stdout: 'pipe',
        },
      );
      const stdout = target.child.stdout as NodeJS.ReadableStream;
      const printed = (text: string) =>
        new Promise<void>((resolve) => {
          const listener = (chunk: Buffer) => {
            if (!chunk.toString().includes(text)) return;
            stdout.off('data', listener);
            resolve();
          };
          stdout.on('data', listener);
        });
      await printed('ready');
      const term = repl(`--attach 127.0.0.1:${target.port}`);
      await term.waitFor('each input runs in a fiber of the target');
      // The first input waits in the target until the test sends it SIGUSR2; the lines after it
      // are typed while it waits.
      const waiting = printed('waiting');
      term.type(
        'console.log("waiting"), wait(new Promise((resolve) => process.once("SIGUSR2", () => resolve("first"))))',
      );
      await waiting;
      term.type('1 + 1');
      term.type('"third"');
      await term.waitFor(/^"third"$/m);
      target.child.kill('SIGUSR2');
      const screen = await term.waitFor("'third'");
      expect(screen).toContain(
        `'first'\nfiberscope (attached)> 1 + 1\n2\nfiberscope (attached)> "third"\n'third'`,
      );
      expect(screen.split('"third"').length - 1).toBe(2);
    });

    it('attaches to a process without the runtime, saying so', async () => {
      const target = await inspectedChild(
        new URL('./fixtures/answer-without-fiberscope.js', import.meta.url),
      );
      const term = repl(`--attach 127.0.0.1:${target.port}`);
      await term.waitFor('The target has no fiberscope runtime');
      term.type('new Promise((resolve) => setTimeout(resolve, 10, answer))');
      await term.waitFor(/^42$/m);
      term.type('const doubled = answer * 2');
      term.type('doubled');
      await term.waitFor(/^84$/m);
      term.type('.exit');
      await term.waitFor('[exit 0]');
    });
  },
);

describe('fiberscope repl: bad input', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [cli, 'repl', ...args], {
      encoding: 'utf8',
      timeout: 15_000,
      input: '',
    });

  it('rejects unknown options and malformed addresses with a usage error', () => {
    for (const args of [
      ['--bogus'],
      ['--attach', 'nowhere'],
      ['-r'],
      ['-r', 'x', '--attach', '127.0.0.1:9'],
    ]) {
      const result = run(...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^fiberscope: /);
    }
  });

  it('says when nothing listens at the address', () => {
    const result = run('--attach', '127.0.0.1:1');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('cannot reach an inspector at 127.0.0.1:1');
  });

  it('warns about an address that is not a loopback one', () => {
    // 0.0.0.0 reaches this machine only: no traffic leaves it.
    const result = run('--attach', '0.0.0.0:1');
    expect(result.stderr).toContain(
      'warning: 0.0.0.0 is not a loopback address; the inspector gives full control of the target',
    );
    expect(result.status).toBe(1);
  });

  it('evaluates piped input in fibers and exits at its end', () => {
    const result = spawnSync(process.execPath, [cli, 'repl', '--no-history'], {
      encoding: 'utf8',
      timeout: 15_000,
      input:
        '\nwait(new Promise((r) => setTimeout(r, 10, "piped")))\n"after the wait"\n  \nawait null; notDefined\n"after the error"\n',
    });
    expect(result.status).toBe(0);
    // Empty lines print nothing, as in Node's REPL.
    expect(result.stdout).not.toContain('undefined');
    // Lines after a waiting one, and after a failing top-level await, still run at the end of
    // the input.
    expect(result.stdout).toMatch(
      /'piped'[\s\S]*'after the wait'[\s\S]*ReferenceError: notDefined is not defined[\s\S]*'after the error'/,
    );
    expect(existsSync(path.join(home, 'never-written'))).toBe(false);
  });
});

describe('fiberscope repl --attach with piped input', () => {
  /** Runs the CLI attached to `port` with `input` piped in; ends its stdin only if asked. */
  function attached(port: number, input: string, endInput: boolean) {
    const child = spawn(process.execPath, [cli, 'repl', '--attach', `127.0.0.1:${port}`], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stdin.write(input);
    if (endInput) child.stdin.end();
    // 'close', not 'exit': the output may still be on its way when the process has exited.
    return new Promise<{ status: number | null; stdout: string }>((resolve) => {
      child.once('close', (status) => resolve({ status, stdout }));
    });
  }

  it('runs dot-commands in order with inputs, and the end of input waits for them', async () => {
    const target = await inspectedChild(new URL('./fixtures/orders-target.js', import.meta.url));
    const result = await attached(target.port, '.fibers\n\n6 * 7\n.fibers\n', true);
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('undefined');
    const listed = result.stdout.match(/"GET \/orders" waiting/g) ?? [];
    expect(listed.length).toBe(2);
    const answer = result.stdout.search(/> 42$/m);
    expect(answer).toBeGreaterThan(result.stdout.indexOf('"GET /orders" waiting'));
    expect(answer).toBeLessThan(result.stdout.lastIndexOf('"GET /orders" waiting'));
  });

  it('detaches with exit code 1 when the target exits on its own', async () => {
    // A process that exits with a debugger attached keeps the connection open: its context goes.
    const target = await inspectedChild(
      new URL('../fixtures/fiberscope-ready.js', import.meta.url),
    );
    // The input itself makes the target exit soon after its answer.
    const result = await attached(
      target.port,
      'setTimeout(() => process.exit(0), 100); 1 + 1\n',
      false,
    );
    expect(result.stdout).toMatch(/> 2$/m);
    expect(result.stdout).toContain('The target went away: detaching.');
    expect(result.status).toBe(1);
  });
});

async function inspectedChild(fixture: URL, options: { stdout?: 'ignore' | 'pipe' } = {}) {
  const target = await startInspected(fixture, options);
  children.push(target.child);
  return target;
}
