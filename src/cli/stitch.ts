// `fiberscope stitch [file]`: reads pino NDJSON (a file, or stdin) and prints each logged error's
// stitched trace readably; the work is src/stitch/ndjson.ts's, this is the command around it.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { renderLog } from '../stitch/ndjson';
import { colorsByDefault } from '../util/ansi';
import { parseCommandArgs } from './args';
import { UsageError } from './usage-error';

export const STITCH_USAGE = `  stitch [options] [file]
                                Print the stitched traces of the errors in pino NDJSON logs
                                (file, or stdin), mapped through source maps on disk.
                                --color / --no-color force colors on or off (default: on a TTY).`;

function parseOptions(args: string[]): { file: string | undefined; color: boolean | undefined } {
  const { positionals, last } = parseCommandArgs('stitch', args, {
    color: { type: 'boolean' },
    'no-color': { type: 'boolean' },
  });
  if (positionals.length > 1) {
    throw new UsageError(`stitch reads one file at most, got ${positionals.length}`);
  }
  const file = positionals[0];
  const color = last('color', 'no-color');
  return {
    file: file === '-' ? undefined : file,
    color: color === undefined ? undefined : color === 'color',
  };
}

/** The file, opened first: a missing file (or a directory) is one clear message. */
async function openInput(file: string): Promise<NodeJS.ReadableStream> {
  try {
    const handle = await open(file, 'r');
    const stat = await handle.stat();
    if (stat.isDirectory()) {
      await handle.close();
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
    return createReadStream('', { fd: handle, autoClose: true });
  } catch (error) {
    const reason =
      (error as { code?: string }).code === 'ENOENT'
        ? 'no such file or directory'
        : String((error as Error).message);
    throw new Error(`cannot read ${file}: ${reason}`);
  }
}

export async function stitchCommand(args: string[]): Promise<number> {
  const parsed = parseOptions(args);
  const color = parsed.color ?? colorsByDefault(process.stdout);
  const input = parsed.file === undefined ? process.stdin : await openInput(parsed.file);

  // A reader that went away (`| head`) ends the output quietly.
  let closed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') closed = true;
  });
  const write = async (text: string) => {
    if (closed) return false;
    if (!process.stdout.write(text)) {
      await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
    return !closed;
  };

  try {
    await renderLog(input, { color }, write);
  } catch (error) {
    throw new Error(
      `cannot read ${parsed.file ?? 'stdin'}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return 0;
}
