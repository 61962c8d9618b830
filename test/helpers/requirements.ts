// Tests that need what a bare machine may lack (Chromium, tmux, a PostgreSQL server): on a
// newcomer's machine they are skipped, saying why; with CI=true they are required (.ci/run
// installs and starts what they need), and fail when it is missing.
import type { TestContext } from 'vitest';

const required = process.env.CI === 'true';

/** In a test: skips it (printing `what` and `why`), or fails it with CI=true, when `why` says
 *  what is missing; does nothing when it is undefined. */
export function requireOrSkip(context: TestContext, what: string, why: string | undefined): void {
  if (why === undefined) return;
  if (required) throw new Error(`${what} cannot run: ${why}`);
  console.warn(`skipping ${what}: ${why}`);
  context.skip();
}

/** For a whole file or describe block: true when its tests should be skipped (printing why);
 *  with CI=true it throws instead, so that the file fails. */
export function skipAllUnless(what: string, why: string | undefined): boolean {
  if (why === undefined) return false;
  if (required) throw new Error(`${what} cannot run: ${why}`);
  console.warn(`skipping ${what}: ${why}`);
  return true;
}

/** Why the kitchen's PostgreSQL tests cannot run, if they cannot. */
export const postgresMissing: string | undefined =
  process.env.KITCHEN_TEST_DATABASE_URL === undefined
    ? (process.env.KITCHEN_TEST_DATABASE_SKIP ??
      'KITCHEN_TEST_DATABASE_URL is not set (.ci/run starts a PostgreSQL server and sets it)')
    : undefined;
