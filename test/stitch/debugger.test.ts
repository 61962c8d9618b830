// Paused inside a fiber, a debugger's async call stack shows where the fiber was spawned.
import { spawn as spawnProcess } from 'node:child_process';
import CDP from 'chrome-remote-interface';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/child';

const program = `
  require('node:inspector').waitForDebugger();
  const { spawn, wait } = require('fiberscope');
  function spawnSite() {
    return spawn(() => {
      wait(new Promise((resolve) => setTimeout(resolve, 5)));
      debugger;
      return 'done';
    }, { name: 'GET /orders' });
  }
  spawnSite().then((value) => console.log('fiber returned ' + value));
`;

interface StackTrace {
  description?: string;
  callFrames: Array<{ functionName: string; lineNumber: number }>;
  parent?: StackTrace;
}

describe('the debugger', () => {
  it("shows the fiber's spawn site as the async stack of a pause inside it", async () => {
    const child = spawnProcess(process.execPath, ['--inspect=127.0.0.1:0', '-e', program], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      let stdout = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      const port = await new Promise<number>((resolve, reject) => {
        let stderr = '';
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
          const match = /ws:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
          if (match) resolve(Number(match[1]));
        });
        child.once('exit', () => reject(new Error(`child exited early: ${stderr}`)));
      });
      const client = await CDP({ host: '127.0.0.1', port });
      try {
        const paused = new Promise<{ asyncStackTrace?: StackTrace }>((resolve) =>
          client.Debugger.paused((event) => resolve(event as { asyncStackTrace?: StackTrace })),
        );
        await client.Debugger.enable({});
        await client.Debugger.setAsyncCallStackDepth({ maxDepth: 32 });
        await client.Runtime.runIfWaitingForDebugger();
        const event = await paused;
        const chain: StackTrace[] = [];
        for (let trace = event.asyncStackTrace; trace !== undefined; trace = trace.parent) {
          chain.push(trace);
        }
        const task = chain.find((trace) => trace.description === 'GET /orders');
        expect(task, JSON.stringify(chain.map((trace) => trace.description))).toBeDefined();
        expect(task?.callFrames.map((frame) => frame.functionName)).toContain('spawnSite');
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        await client.Debugger.resume({});
        while (!stdout.includes('\n')) await new Promise((resolve) => setTimeout(resolve, 10));
        await client.close();
        expect(await exited).toBe(0);
        expect(stdout).toBe('fiber returned done\n');
      } finally {
        await client.close().catch(() => {});
      }
    } finally {
      clearTimeout(killTimer);
      child.kill('SIGKILL');
    }
  });
});
