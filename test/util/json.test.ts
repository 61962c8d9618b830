// isRecord(): what the profile importers and `fiberscope stitch` accept as a JSON object.
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import type * as JsonModule from '../../src/util/json';

const { isRecord } = createRequire(import.meta.url)('../../dist/util/json.js') as typeof JsonModule;

it('takes objects, not arrays, null or primitives', () => {
  expect([{}, { a: 1 }, JSON.parse('{"x":[]}'), Object.create(null)].every(isRecord)).toBe(true);
  expect([[], null, undefined, 0, '', 'x', true].some(isRecord)).toBe(false);
});
