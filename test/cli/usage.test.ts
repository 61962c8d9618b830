// The argument layer every `fiberscope` command shares: one wording for each kind of mistake,
// the command's own usage (not the whole one) after it, exit code 2; help among any options.
import { describe, expect, it } from 'vitest';
import { runCli as run } from '../helpers/cli';

const COMMANDS = ['run', 'repl', 'profile', 'dump', 'stitch', 'flame'];

/** A usage error: the message, a blank line, then this command's usage only; exit code 2. */
function expectUsageError(args: string[], message: string) {
  const result = run(args);
  const [command] = args;
  expect(result.status, args.join(' ')).toBe(2);
  expect(result.stdout, args.join(' ')).toBe('');
  const start = `fiberscope: ${message}\n\nUsage: fiberscope ${command} `;
  expect(result.stderr.slice(0, start.length), args.join(' ')).toBe(start);
  expect(result.stderr, args.join(' ')).not.toContain('fiberscope <command>');
  return result.stderr;
}

describe('fiberscope usage errors', () => {
  it('an unknown option: the same wording for every command, with the nearest known one', () => {
    for (const command of COMMANDS) {
      expectUsageError([command, '--bogus'], `unknown option "--bogus" for ${command}`);
    }
    expectUsageError(
      ['run', '--prof', 'x.html', 'app.js'],
      'unknown option "--prof" for run (did you mean --profile?)',
    );
    expectUsageError(
      ['stitch', '--colour'],
      'unknown option "--colour" for stitch (did you mean --color?)',
    );
    expectUsageError(['profile', '-x'], 'unknown option "-x" for profile');
  });

  it('an option without its value, or with a value it does not take', () => {
    expectUsageError(['flame', 'in.cpuprofile', '-o'], '-o needs a value');
    expectUsageError(['flame', 'in.cpuprofile', '--title'], '--title needs a value');
    // The next argument is an option, not the value.
    expectUsageError(['flame', 'in.cpuprofile', '-o', '--title', 't'], '-o needs a value');
    expectUsageError(['repl', '--attach'], '--attach needs a value');
    expectUsageError(['profile', '--pid'], '--pid needs a value');
    expectUsageError(['run', '--profile'], '--profile needs a value');
    expectUsageError(['stitch', '--color=yes'], '--color takes no value');
  });

  it('an argument a command does not take', () => {
    expectUsageError(['repl', 'extra'], 'unexpected argument "extra" for repl');
    expectUsageError(
      ['profile', '--attach', '127.0.0.1:9', 'extra'],
      'unexpected argument "extra" for profile',
    );
    expectUsageError(['stitch', 'a.ndjson', 'b.ndjson'], 'stitch reads one file at most, got 2');
  });

  it('durations need a unit: a bare number is refused with both readings', () => {
    expectUsageError(
      ['profile', '--attach', '127.0.0.1:9', '--duration', '10', '-o', 'x.html'],
      '--duration needs a unit (us, ms or s): 10s or 10ms, not "10"',
    );
    expectUsageError(
      ['profile', '--attach', '127.0.0.1:9', '--interval', '500', '-o', 'x.html'],
      '--interval needs a unit (us, ms or s): 500us or 500ms, not "500"',
    );
    expectUsageError(
      ['run', '--interval', '10', 'app.js'],
      '--interval needs a unit (us, ms or s): 10us or 10ms, not "10"',
    );
  });

  it('an unknown command prints the whole usage; no command at all exits with 1', () => {
    const unknown = run(['prof']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(
      /^fiberscope: unknown command "prof"\n\nUsage: fiberscope <command>/,
    );
    expect(unknown.stderr).toContain('  flame [--title TEXT]');
    const none = run([]);
    expect(none.status).toBe(1);
    expect(none.stdout).toContain('Commands:');
  });

  it('-h or --help among the options of any command prints its usage on stdout, exit 0', () => {
    for (const args of [
      ['flame', 'in.cpuprofile', '--help'],
      ['profile', '--attach', '127.0.0.1:9', '-h'],
      ['stitch', '--wat', '--help'],
      ['run', '--interval', '1ms', '-h', 'app.js'],
    ]) {
      const result = run(args);
      expect(result.status, args.join(' ')).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(new RegExp(`^Usage: fiberscope ${args[0]} .*\\n\\n  \\S`));
      expect(result.stdout).not.toContain('fiberscope <command>');
    }
  });
});
