// The ANSI colours of fiberscope's terminal output, and when an output gets them by default.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type * as Ansi from '../../src/util/ansi';

const { bold, colorsByDefault, cyan, dim, green, magenta, red, yellow } = createRequire(
  import.meta.url,
)('../../dist/util/ansi.js') as typeof Ansi;

describe('styles', () => {
  it('wrap text in their SGR codes, each closed by its own reset', () => {
    expect(bold('x')).toBe('\u001b[1mx\u001b[22m');
    expect(dim('x')).toBe('\u001b[2mx\u001b[22m');
    expect(red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(green('x')).toBe('\u001b[32mx\u001b[39m');
    expect(yellow('x')).toBe('\u001b[33mx\u001b[39m');
    expect(magenta('x')).toBe('\u001b[35mx\u001b[39m');
    expect(cyan('x')).toBe('\u001b[36mx\u001b[39m');
  });

  it('leave text as it is when off', () => {
    expect(cyan('x', false)).toBe('x');
    expect(bold('', false)).toBe('');
    expect(dim('x', true)).toBe(dim('x'));
  });
});

describe('colorsByDefault', () => {
  it('colours a terminal and nothing else', () => {
    expect(colorsByDefault({ isTTY: true }, {})).toBe(true);
    expect(colorsByDefault({ isTTY: false }, {})).toBe(false);
    expect(colorsByDefault({}, {})).toBe(false);
  });

  it('honours NO_COLOR set to anything but the empty string', () => {
    expect(colorsByDefault({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorsByDefault({ isTTY: true }, { NO_COLOR: '0' })).toBe(false);
    expect(colorsByDefault({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
  });

  it('does not read FORCE_COLOR: only a TTY turns colours on', () => {
    expect(colorsByDefault({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(false);
    expect(colorsByDefault({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(true);
  });
});
