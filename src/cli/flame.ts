// `fiberscope flame <profile> -o <out.html>`: turns a `.cpuprofile` or a speedscope file into the
// self-contained HTML flame graph that `fiberscope run --profile x.html` writes. The format is
// told by the content, not the file name.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { toHtml } from '../profiler/export/html';
import { fromCpuProfile, looksLikeCpuProfile } from '../profiler/import/cpuprofile';
import { fromSpeedscope, looksLikeSpeedscope } from '../profiler/import/speedscope';
import type { Profile } from '../profiler/model';
import { parseCommandArgs } from './args';
import { UsageError } from './usage-error';

export const FLAME_USAGE = `  flame [--title TEXT] <profile> -o <out.html>
                                Write an interactive flame graph of a .cpuprofile or speedscope
                                file as one self-contained HTML page.`;

/** Control characters other than whitespace, or bytes that are not UTF-8, near the start. */
function looksBinary(text: string): boolean {
  for (let i = 0; i < Math.min(text.length, 512); i++) {
    const code = text.charCodeAt(i);
    if (code < 9 || (code > 13 && code < 32) || code === 0xfffd) return true;
  }
  return false;
}

const READS = 'flame reads .cpuprofile and speedscope files';

/** Folded stacks (`a;b;c 42` a line), as `--profile x.folded` and flamegraph.pl's tools write. */
function looksFolded(text: string): boolean {
  const lines = text
    .split('\n', 20)
    .map((line) => line.trimEnd())
    .filter((line) => line !== '');
  return lines.length > 0 && lines.every((line) => /^[^\s{[].*\s\d+$/.test(line));
}

/** Why text that is not JSON is not a profile, without quoting it (it may be long, or bytes). */
function notJson(file: string, text: string, error: Error): Error {
  if (text.trim() === '') return new Error(`${file} is empty, not a profile (${READS})`);
  if (looksBinary(text))
    return new Error(`${file} is not a profile: a binary file, not JSON (${READS})`);
  if (looksFolded(text)) {
    return new Error(
      `${file} holds folded stacks, which flame does not read (${READS}; fiberscope run --profile x.html writes the page itself)`,
    );
  }
  if (/^\s*</.test(text)) return new Error(`${file} is HTML or XML, not a profile (${READS})`);
  // V8's message without the text it quotes, and with a line and column for its position.
  let reason = error.message.replace(/, ".*" is not valid JSON$/s, '');
  const at = / in JSON at position (\d+)/.exec(reason);
  if (at) {
    const before = text.slice(0, Number(at[1])).split('\n');
    reason = `${reason.slice(0, at.index)} at line ${before.length}, column ${(before.at(-1) as string).length + 1}`;
  }
  return new Error(`${file} is not a profile: invalid JSON (${reason}); ${READS}`);
}

function parse(file: string, text: string): Profile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw notJson(file, text, error as Error);
  }
  try {
    if (looksLikeSpeedscope(json)) return fromSpeedscope(text);
    if (looksLikeCpuProfile(json)) return fromCpuProfile(text);
  } catch (error) {
    throw new Error(`${file} is ${(error as Error).message}`);
  }
  throw new Error(
    `${file} is not a profile: expected a .cpuprofile (nodes, samples, timeDeltas) or a speedscope file (shared, profiles)`,
  );
}

export async function flameCommand(args: string[]): Promise<number> {
  const { values, positionals: inputs } = parseCommandArgs('flame', args, {
    output: { type: 'string', short: 'o' },
    title: { type: 'string' },
  });
  const { output, title } = values;
  if (inputs.length === 0) throw new UsageError('flame needs a profile to read');
  if (inputs.length > 1) throw new UsageError(`flame reads one profile, got ${inputs.length}`);
  if (output === undefined) throw new UsageError('flame needs -o <out.html>');
  const input = inputs[0] as string;

  let text: string;
  try {
    text = readFileSync(input, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${input}: ${(error as Error).message}`);
  }
  const html = toHtml(parse(input, text), { title: title ?? path.basename(input) });
  try {
    writeFileSync(output, html);
  } catch (error) {
    throw new Error(`cannot write ${output}: ${(error as Error).message}`);
  }
  return 0;
}
