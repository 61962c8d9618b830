/** A mistake in how the command was called: reported with the command's usage and exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `-h` or `--help` among a command's options: its usage goes to stdout, exit code 0. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
}
