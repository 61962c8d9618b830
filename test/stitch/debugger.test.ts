// Paused inside a fiber, a debugger's async call stack shows where the fiber was spawned.
import { describe, expect, it } from 'vitest';
import { withInspectedChild } from '../helpers/inspector';

const program = new URL('./fixtures/debugger-spawn-site.js', import.meta.url);

interface StackTrace {
  description?: string;
  callFrames: Array<{ functionName: string }>;
  parent?: StackTrace;
}

describe('the debugger', () => {
  it("shows the fiber's spawn site as the async stack of a pause inside it", async () => {
    await withInspectedChild(program, async ({ client, stdout, finish }) => {
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
      await client.Debugger.resume({});
      expect(await finish()).toBe(0);
      expect(stdout()).toBe('fiber returned done\n');
    });
  });
});
