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
    throw new UsageError(`${flag} must be from ${shown(min, into)} to ${shown(max, into)}`);
  }
  return value;
}

/** A bound in the largest unit that holds it whole: 1000000us is 1s. */
function shown(value: number, unit: 'us' | 'ms'): string {
  const us = value * UNITS[unit];
  if (us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us % 1000 === 0) return `${us / 1000}ms`;
  return `${us}us`;
}
