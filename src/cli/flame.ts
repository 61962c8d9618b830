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

function parse(file: string, text: string): Profile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes the text: not bytes of a binary file (a .pb.gz) to the terminal.
    if (looksBinary(text)) {
      throw new Error(
        `${file} is not a profile: a binary file, not JSON (flame reads .cpuprofile and speedscope files)`,
      );
    }
    throw new Error(`${file} is not a profile: invalid JSON (${(error as Error).message})`);
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
