// Shape checks for parsed JSON.

/** A JSON object: what JSON.parse() gives for `{...}`. */
export type Json = Record<string, unknown>;

/** Whether `value` is an object and not an array (nor null): a JSON object once parsed. */
export function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
