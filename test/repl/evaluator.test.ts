// The fiber REPL through scripted streams: each input runs in a fiber, the event loop turns
// while it waits, Node's REPL behaviour (declarations, _, _error, multi-line) is kept.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { type Driver, startDriver } from './driver';

let driver: Driver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

/** A worker thread that sends this process SIGINT in 300 ms (Ctrl-C while an input spins). */
const sigintSoon = () => new Worker(new URL('./fixtures/sigint-soon.js', import.meta.url));

function open(options = {}): Driver {
  driver = startDriver(options);
  driver.server.context.fiberscope = require('fiberscope');
  return driver;
}

const SETUP = [
  'const { wait, sync, Fiber } = fiberscope',
  'const sleep = (ms, value) => new Promise((resolve) => setTimeout(resolve, ms, value))',
];

describe('inputs run in fibers', () => {
  it('returns what wait() and sync() functions give, while the event loop keeps running', async () => {
    const repl = open();
    for (const line of SETUP) await repl.type(line);
    await repl.type('let ticks = 0; const timer = setInterval(() => ticks++, 5)');
    // The wait ends once the timer has fired five times during it: the main thread was in the
    // event loop, not blocked (however slow the machine, no time bound).
    await repl.type(
      'const fiveTicks = () => { const until = ticks + 5; return new Promise((resolve) => { const poll = setInterval(() => { if (ticks >= until) { clearInterval(poll); resolve("row"); } }, 1); }); }',
    );
    expect(await repl.type('wait(fiveTicks())')).toBe("'row'");
    await repl.type('clearInterval(timer)');
    await repl.type('const orders = { find: sync((id) => sleep(5, { id, total: 42 })) }');
    expect(await repl.type('orders.find(1)')).toBe('{ id: 1, total: 42 }');
    expect(await repl.type('fiberscope.Fiber.current.name')).toBe("'repl'");
  });

  it('keeps a server started at the prompt serving, also while another input waits', async () => {
    const repl = open();
    for (const line of SETUP) await repl.type(line);
    await repl.type(
      'const server = require("node:http").createServer((req, res) => res.end("served " + req.url)).listen(0, "127.0.0.1")',
    );
    await repl.type('wait(new Promise((resolve) => server.once("listening", resolve)))');
    const port = Number(await repl.type('server.address().port'));
    const get = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).text();
    expect(await get('/idle')).toBe('served /idle');
    // The input waits for the request the test makes: only a free event loop can serve it.
    const waiting = repl.type(
      'wait(fetch(`http://127.0.0.1:${server.address().port}/from-repl`).then((r) => r.text()))',
    );
    expect(await get('/meanwhile')).toBe('served /meanwhile');
    expect(await waiting).toBe("'served /from-repl'");
    await repl.type('server.close()');
  });

  it('awaits a returned promise, and a top-level await (top-level-await.test.ts)', async () => {
    const repl = open();
    for (const line of SETUP) await repl.type(line);
    expect(await repl.type('sleep(5, 42)')).toBe('42');
    expect(await repl.type('_')).toBe('42');
    expect(await repl.type('await sleep(5, "tla")')).toBe("'tla'");
    expect(await repl.type('_')).toBe("'tla'");
  });

  it('keeps declarations, _ and _error across inputs, as Node does', async () => {
    const repl = open();
    await repl.type('const a = 20');
    await repl.type('class Point { constructor(x) { this.x = x } }');
    expect(await repl.type('a + 1')).toBe('21');
    expect(await repl.type('new Point(3).x')).toBe('3');
    expect(await repl.type('_ * 2')).toBe('6');
    expect(await repl.type('throw new RangeError("out")')).toContain('Uncaught RangeError: out');
    expect(await repl.type('_error.message')).toBe("'out'");
  });

  it('continues an incomplete input on the next line', async () => {
    const repl = open();
    await repl.type('function add(a, b) {');
    await repl.type('return a + b');
    await repl.type('}');
    expect(await repl.type('add(2, 3)')).toBe('5');
  });

  it('stays usable after a thrown non-Error, a rejected wait and an unhandled rejection', async () => {
    const repl = open();
    for (const line of SETUP) await repl.type(line);
    expect(await repl.type('throw "plain"')).toBe("Uncaught 'plain'");
    const rejected = await repl.type('wait(Promise.reject(new Error("db down")))');
    expect(rejected).toContain('Uncaught Error: db down');
    expect(rejected).toMatch(/--- fiber #\d+ "repl" waited here ---/);
    expect(rejected).not.toMatch(/node:repl|node:vm|node:domain/);
    // Node 26's REPL (no domain) hears of an input's unhandled rejection only when the process
    // has no 'unhandledRejection' listener, as in a plain `node` REPL: vitest's own is set aside.
    const listeners = process.rawListeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    try {
      expect(await repl.type('Promise.reject(new Error("nobody handles")); 1')).toContain('1');
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      for (const listener of listeners) {
        process.on('unhandledRejection', listener as (...args: unknown[]) => void);
      }
    }
    expect(await repl.type('1 + 1')).toContain('2');
  });
});

describe('what an input leaves behind', () => {
  it('takes lines typed ahead in order, joining a multi-line input after a wait', async () => {
    const repl = open();
    for (const line of SETUP) await repl.type(line);
    // One chunk, as a paste or a pipe delivers it: the first line waits.
    const printed = await repl.type(
      'wait(sleep(50, "first"))\nfunction add(a, b) {\nreturn a + b\n}\nadd(2, 3)\n.help',
    );
    expect(printed).not.toContain('Uncaught');
    // In order: the wait's value, the function, its call, then the command.
    expect(printed).toMatch(/'first'[\s\S]*undefined[\s\S]*\n> 5\n[\s\S]*\.fibers/);
    expect(await repl.type('add(4, 5)')).toBe('9');
  });

  it("keeps the REPL's domain off the main thread while an input waits, and after", async () => {
    const domain = require('node:domain') as { _stack: unknown[] };
    const repl = open();
    for (const line of SETUP) await repl.type(line);
    const seen: number[] = [];
    const probe = setInterval(() => seen.push(domain._stack.length), 2);
    await repl.type('wait(sleep(60))');
    clearInterval(probe);
    expect(seen.length).toBeGreaterThan(5);
    expect(new Set(seen)).toEqual(new Set([0]));
    expect(process.domain ?? null).toBe(null);
    // Errors of timers the main thread runs meanwhile are not the input's.
    expect(await repl.type('let n = 0; while (n < 1e6) n++; n')).toBe('1000000');
    expect(domain._stack.length).toBe(0);
  });

  it('ends a busy loop stopped by Ctrl-C with the interrupt code, and leaves no domain', async () => {
    const domain = require('node:domain') as { _stack: unknown[] };
    const repl = open();
    const killer = sigintSoon();
    await repl.type('while (true) {}');
    await killer.terminate();
    expect(await repl.type('_error.code')).toBe("'ERR_SCRIPT_EXECUTION_INTERRUPTED'");
    expect(domain._stack.length).toBe(0);
  });
});

describe('commands', () => {
  it('.fibers lists live fibers with their state and where they wait', async () => {
    const repl = open();
    for (const line of SETUP) await repl.type(line);
    await repl.type('function poll() { wait(new Promise(() => {})) }');
    await repl.type('new Fiber(poll, { name: "GET /orders" }).run()');
    await repl.type('const idle = new Fiber(() => Fiber.yield()); idle.run()');
    const listing = await repl.type('.fibers');
    expect(listing).toMatch(/#\d+ "GET \/orders" waiting, age \d+ms, for \d+ms/);
    expect(listing).toMatch(/at poll \(REPL\d+:1:\d+\)/);
    expect(listing).toMatch(/#\d+ \(anonymous\) suspended/);
  });

  it('.stack prints the stitched trace of the last error', async () => {
    const repl = open();
    expect(await repl.type('.stack')).toBe('No error yet.');
    for (const line of SETUP) await repl.type(line);
    await repl.type('function load() { return wait(Promise.reject(new Error("gone"))) }');
    await repl.type('load()');
    const stack = await repl.type('.stack');
    expect(stack.split('\n')[0]).toBe('Error: gone');
    expect(stack).toMatch(/--- fiber #\d+ "repl" waited here ---\n\s+at load \(REPL\d+:1:\d+\)/);
  });

  it('.profile prints the top functions per fiber and writes a flame graph', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const dir = mkdtempSync(
      require('node:path').join(require('node:os').tmpdir(), 'repl-profile-'),
    );
    const repl = open({ profileDir: dir });
    await repl.type(
      'function spin() { let x = 0; const end = Date.now() + 60; while (Date.now() < end) x++; return "spun" }',
    );
    const report = await repl.type('.profile spin()');
    expect(report).toContain("'spun'");
    expect(report).toMatch(/fiber #\d+ "repl": [\d.]+ms CPU/);
    expect(report).toMatch(/\s[\d.]+ms\s+[\d.]+%\s+spin REPL\d+:1/);
    const file = /Flame graph: (.*\.html)/.exec(report)?.[1];
    expect(file?.startsWith(dir)).toBe(true);
    expect(readFileSync(file as string, 'utf8')).toContain('spin');
    expect(await repl.type('.profile')).toBe('Usage: .profile <expression>');
    // An expression that throws: the error is printed and the profiler stopped all the same.
    const failed = await repl.type('.profile (() => { throw new Error("no profile") })()');
    expect(failed).toContain('Error: no profile');
    expect(failed).toMatch(/Flame graph: /);
    expect(await repl.type('.profile 1 + 1')).toMatch(/^2\n/);
  });

  it(".help lists the fiber commands next to Node's own", async () => {
    const help = await open().type('.help');
    for (const command of ['.fibers', '.stack', '.profile', '.break', '.load', '.exit']) {
      expect(help).toContain(command);
    }
  });
});

describe('preloaded modules', () => {
  it("makes a module's exports variables, loading it inside a fiber", async () => {
    const file = fileURLToPath(new URL('./fixtures/models.js', import.meta.url));
    const repl = startDriver({ require: [file] });
    driver = repl;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await repl.type('shipments.find(3)')).toBe('{ id: 3, ready: true }');
    expect(await repl.type('typeof models.shipments.find')).toBe("'function'");
  });

  it('says which module failed and keeps going', async () => {
    const broken = fileURLToPath(new URL('./fixtures/broken.js', import.meta.url));
    const repl = startDriver({ require: ['./does-not-exist-anywhere', broken] });
    driver = repl;
    const printed = await repl.type('1 + 1');
    expect(printed).toContain('2');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(repl.output()).toContain(
      `Cannot find the module ./does-not-exist-anywhere from ${process.cwd()}\n`,
    );
    expect(repl.output()).toMatch(/Cannot load .*broken\.js:\nError: cannot start/);
  });
});

describe('Ctrl-C', () => {
  it('throws an interrupt error into a waiting input, whose finally blocks run', async () => {
    const repl = open();
    for (const line of SETUP) await repl.type(line);
    await repl.type('let cleaned = false');
    setTimeout(() => process.kill(process.pid, 'SIGINT'), 100);
    const interrupted = await repl.type(
      'try { wait(new Promise(() => {})) } finally { cleaned = true }',
    );
    expect(interrupted).toContain('Uncaught Error: Script execution was interrupted by `SIGINT`');
    expect(await repl.type('cleaned')).toBe('true');
  });

  it('hands a SIGINT that comes as an input ends to the prompt after it', async () => {
    const repl = open();
    for (const line of SETUP) await repl.type(line);
    // The signal comes once the input's code has run, before the REPL takes Ctrl-C back: too late
    // to interrupt the input, it is Ctrl-C at the next prompt, as one pressed there would be.
    const printed = await repl.type(
      'wait(sleep(5)); process.nextTick(() => process.kill(process.pid, "SIGINT")); "answer"',
    );
    expect(printed).toMatch(
      /^'answer'\n> \r?\n\(To exit, press Ctrl\+C again or Ctrl\+D or type \.exit\)$/,
    );
    expect(await repl.type('"after"')).toBe("'after'");
  });

  it('breaks a busy loop, and the context survives', async () => {
    const repl = open();
    await repl.type('let spins = 0');
    // The main thread is blocked by the loop: the signal comes from another thread.
    const killer = sigintSoon();
    const interrupted = await repl.type('while (true) { spins++ }');
    await killer.terminate();
    expect(interrupted).toContain('Uncaught Error: Script execution was interrupted by `SIGINT`');
    expect(await repl.type('spins > 0')).toBe('true');
    expect(await repl.type('1 + 1')).toBe('2');
  });
});

describe('Ctrl-C, nested', () => {
  it('stops a busy loop in a fiber the input runs: the error comes out of that run()', async () => {
    const repl = open();
    await repl.type('const { Fiber: Nested } = fiberscope');
    const killer = sigintSoon();
    const printed = await repl.type(
      'let caught; try { new Nested(() => { while (true) {} }).run() } catch (e) { caught = `${e.code}: ${e.message}` }; caught',
    );
    await killer.terminate();
    expect(printed).toBe(
      "'ERR_SCRIPT_EXECUTION_INTERRUPTED: Script execution was interrupted by `SIGINT`'",
    );
    expect(await repl.type('1 + 1')).toBe('2');
  });
});

describe('start() options', () => {
  it('rejects a custom eval and a bad require list', () => {
    const { start } = require('fiberscope/repl');
    expect(() => start({ eval: () => {} })).toThrow('The "eval" option is not supported');
    expect(() => start({ require: 'x' })).toThrow('Expected the "require" option');
  });
});
