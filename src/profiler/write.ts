// Picks the format from a file name and writes a profile there. Only the CLI writes files.
import { writeFileSync } from 'node:fs';
import { toCpuProfile, toFolded, toHtml, toPprof, toSpeedscope } from './export';
import type { Profile } from './model';

const FORMATS: Array<[suffix: string, render: (profile: Profile) => string | Uint8Array]> = [
  ['.speedscope.json', (profile) => JSON.stringify(toSpeedscope(profile))],
  ['.cpuprofile', (profile) => JSON.stringify(toCpuProfile(profile))],
  ['.folded', (profile) => toFolded(profile, { byThread: true })],
  ['.html', (profile) => toHtml(profile)],
  ['.pb.gz', (profile) => toPprof(profile)],
];

/** The suffixes `fiberscope run --profile` writes. */
export const PROFILE_SUFFIXES = FORMATS.map(([suffix]) => suffix);

/** Undefined when `file` names a format this version writes; otherwise why not. */
export function unsupportedProfileFile(file: string): string | undefined {
  if (FORMATS.some(([suffix]) => file.endsWith(suffix))) return undefined;
  return `cannot write a profile to ${file}: the file name must end with ${PROFILE_SUFFIXES.join(', ')}`;
}

export function writeProfile(profile: Profile, file: string): void {
  const format = FORMATS.find(([suffix]) => file.endsWith(suffix));
  if (format === undefined) throw new Error(unsupportedProfileFile(file));
  writeFileSync(file, format[1](profile));
}
