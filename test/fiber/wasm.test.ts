// WebAssembly while fibers are suspended: V8 aborts when it collects wasm code and finds an
// archived thread (a suspended fiber), so the addon turns that collection off.
import { describe, expect, it } from 'vitest';
import { runScript } from '../helpers/child';

// (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
// Without the addon's flag, this program aborts on Node 20 ("archived threads in combination
// with wasm not supported"); Node 22 did not abort here without it either.
const program = `
  const { Fiber, wait } = require('fiberscope');
  const bytes = new Uint8Array([0,97,115,109,1,0,0,0,1,7,1,96,2,127,127,1,127,3,2,1,0,7,7,1,3,97,100,100,0,0,10,9,1,7,0,32,0,32,1,106,11]);
  for (let i = 0; i < 3; i++) new Fiber(() => wait(new Promise(() => {}))).run();
  let sum = 0;
  for (let i = 0; i < 200; i++) {
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    for (let j = 0; j < 2000; j++) sum = exports.add(sum, 1) | 0;
  }
  console.log('survived', sum);
  process.exit(0);
`;

describe('WebAssembly with suspended fibers', () => {
  it('compiles, runs and drops wasm code without aborting', () => {
    // --stress-wasm-code-gc makes V8 try to collect wasm code at every new module.
    const result = runScript(program, { nodeArgs: ['--stress-wasm-code-gc'] });
    expect(result.stdout.trim()).toBe('survived 400000');
    expect(result.status).toBe(0);
  });
});
