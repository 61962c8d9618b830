import { UsageError } from './usage-error';

const UNITS: Record<string, number> = { us: 1, µs: 1, ms: 1000, s: 1_000_000 };

/** `500us`, `1ms`, `10s` (or a bare number in `bare` units), in `into` units, within bounds. */
export function parseDuration(
  text: string,
  into: 'us' | 'ms',
  flag: string,
  min: number,
  max: number,
): number {
  const match = /^(\d+(?:\.\d+)?)(us|µs|ms|s)?$/.exec(text);
  if (!match) throw new UsageError(`${flag} takes a duration like 1ms or 10s, not "${text}"`);
  const us = Number(match[1]) * (match[2] === undefined ? UNITS[into] : UNITS[match[2]]);
  const value = Math.round(us / UNITS[into]);
  if (value < min || value > max) {
    throw new UsageError(`${flag} must be from ${min}${into} to ${max}${into}`);
  }
  return value;
}
