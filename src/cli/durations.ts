import { UsageError } from './usage-error';

const UNITS: Record<string, number> = { us: 1, µs: 1, ms: 1000, s: 1_000_000 };

/**
 * `500us` (or `500µs`), `1ms`, `10s`, in `into` units, within bounds. The unit is required: a bare
 * `10` reads as milliseconds to some and seconds to others, so it is refused, with both readings.
 */
export function parseDuration(
  text: string,
  into: 'us' | 'ms',
  flag: string,
  min: number,
  max: number,
): number {
  const match = /^(\d+(?:\.\d+)?)(us|µs|ms|s)?$/.exec(text);
  if (!match) throw new UsageError(`${flag} takes a duration like 1ms or 10s, not "${text}"`);
  const unit = match[2];
  if (unit === undefined) {
    const [likely, other] = into === 'ms' ? ['s', 'ms'] : ['us', 'ms'];
    throw new UsageError(
      `${flag} needs a unit (us, ms or s): ${text}${likely} or ${text}${other}, not "${text}"`,
    );
  }
  const value = Math.round((Number(match[1]) * UNITS[unit]) / UNITS[into]);
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
