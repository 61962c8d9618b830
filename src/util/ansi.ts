// ANSI colours for terminal output, and whether an output stream gets them by default.

/** A style: `text` wrapped in the style's escape codes when `on` (the default), else as it is. */
export type Style = (text: string, on?: boolean) => string;

const style =
  (open: number, close: number): Style =>
  (text, on = true) =>
    on ? `\u001b[${open}m${text}\u001b[${close}m` : text;

export const bold = style(1, 22);
export const dim = style(2, 22);
export const red = style(31, 39);
export const green = style(32, 39);
export const yellow = style(33, 39);
export const magenta = style(35, 39);
export const cyan = style(36, 39);

/**
 * Whether output written to `stream` is coloured when no option says: not when `NO_COLOR` is set
 * to anything but the empty string (https://no-color.org), else when the stream is a terminal.
 */
export function colorsByDefault(
  stream: { isTTY?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}
