// WebAssembly while fibers are suspended: V8 aborts when it collects wasm code and finds an
// archived thread (a suspended fiber), so the addon turns that collection off.
import { describe, expect, it } from 'vitest';
import { runFixture } from '../helpers/child';

describe('WebAssembly with suspended fibers', () => {
  // Without the addon's flag, the program aborts on Node 20 ("archived threads in combination
  // with wasm not supported"); Node 22 did not abort here without it either.
  it('compiles, runs and drops wasm code without aborting', () => {
    // --stress-wasm-code-gc makes V8 try to collect wasm code at every new module.
    const result = runFixture(
      new URL('./fixtures/wasm-with-suspended-fibers.js', import.meta.url),
      {
        nodeArgs: ['--stress-wasm-code-gc'],
      },
    );
    expect(result.stdout.trim()).toBe('survived 400000');
    expect(result.status).toBe(0);
  });
});
