// A debugger attached through the inspector protocol pauses inside a fiber and resumes it.
import { describe, expect, it } from 'vitest';
import { withInspectedChild } from '../helpers/inspector';

const program = `
  require('node:inspector').waitForDebugger();
  const { spawn, wait } = require('fiberscope');
  spawn(() => {
    const local = 'inside the fiber';
    wait(new Promise((resolve) => setTimeout(resolve, 5)));
    debugger;
    return local.length;
  }, { name: 'debugged' }).then((value) => console.log('fiber returned ' + value));
`;

describe('the inspector', () => {
  it('pauses at a breakpoint inside a fiber, reads its locals, and resumes', async () => {
    await withInspectedChild(program, async ({ client, stdout, finish }) => {
      const paused = new Promise<{ callFrames: Array<{ callFrameId: string }> }>((resolve) =>
        client.Debugger.paused((event) => resolve(event)),
      );
      await client.Debugger.enable({});
      await client.Runtime.runIfWaitingForDebugger();
      const event = await paused;
      const evaluated = await client.Debugger.evaluateOnCallFrame({
        callFrameId: event.callFrames[0].callFrameId,
        expression: "local + ' / ' + require('fiberscope').Fiber.current.name",
      });
      expect(evaluated.result.value).toBe('inside the fiber / debugged');
      await client.Debugger.resume({});
      expect(await finish()).toBe(0);
      expect(stdout()).toBe('fiber returned 16\n');
    });
  });
});
