// A debugger attached through the inspector protocol pauses inside a fiber and resumes it.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { withInspectedChild } from '../helpers/inspector';

// withInspectedChild() runs a program given as source (node -e): this one runs the fixture.
const program = `require(${JSON.stringify(
  fileURLToPath(new URL('./fixtures/debugger-in-fiber.js', import.meta.url)),
)})`;

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
        // `require` is the module's, which the fiber's function does not keep: the package is
        // reached through the fixture's `fiberscope`, which it does.
        expression: "local + ' / ' + fiberscope.Fiber.current.name",
      });
      expect(evaluated.result.value).toBe('inside the fiber / debugged');
      await client.Debugger.resume({});
      expect(await finish()).toBe(0);
      expect(stdout()).toBe('fiber returned 16\n');
    });
  });
});
