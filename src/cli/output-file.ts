import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** Throws unless `file` can be written: found out before a capture, not after it. */
export function assertWritable(file: string): void {
  try {
    accessSync(path.dirname(path.resolve(file)), constants.W_OK);
  } catch (error) {
    throw new Error(`cannot write ${file}: ${(error as Error).message}`);
  }
}
