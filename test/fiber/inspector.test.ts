// A debugger attached through the inspector protocol pauses inside a fiber and resumes it.
import { spawn as spawnProcess } from 'node:child_process';
import CDP from 'chrome-remote-interface';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/child';

const program = `
  const { spawn, wait } = require('fiberscope');
  setTimeout(() => {
    spawn(() => {
      const local = 'inside the fiber';
      wait(new Promise((resolve) => setTimeout(resolve, 5)));
      debugger;
      return local.length;
    }, { name: 'debugged' }).then((value) => {
      console.log('fiber returned ' + value);
      process.exit(0);
    });
  }, 300);
`;

describe('the inspector', () => {
  it('pauses at a breakpoint inside a fiber, reads its locals, and resumes', async () => {
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
        const paused = new Promise<{
          callFrames: Array<{ callFrameId: string; functionName: string }>;
        }>((resolve) => client.Debugger.paused((event) => resolve(event)));
        await client.Debugger.enable({});
        await client.Runtime.runIfWaitingForDebugger();
        const event = await paused;
        const top = event.callFrames[0];
        const evaluated = await client.Debugger.evaluateOnCallFrame({
          callFrameId: top.callFrameId,
          expression: "local + ' / ' + require('fiberscope').Fiber.current.name",
        });
        expect(evaluated.result.value).toBe('inside the fiber / debugged');
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        await client.Debugger.resume({});
        // Node waits at exit for an attached debugger to disconnect.
        while (!stdout.includes('\n')) await new Promise((resolve) => setTimeout(resolve, 10));
        await client.close();
        expect(await exited).toBe(0);
        expect(stdout).toBe('fiber returned 16\n');
      } finally {
        await client.close().catch(() => {});
      }
    } finally {
      clearTimeout(killTimer);
      child.kill('SIGKILL');
    }
  });
});
