// `--attach HOST:PORT | --pid PID`: the process a command reaches through its inspector
// (`profile`, `dump`).
import type { InspectorTarget } from '../inspector/connect';
import { parseHostPort } from './address';
import { UsageError } from './usage-error';

export const TARGET_OPTIONS = {
  attach: { type: 'string' },
  pid: { type: 'string' },
} as const;

/** The target of `command` from its --attach or --pid (exactly one): --pid opens the inspector
 *  on 127.0.0.1:9229. */
export function parseTarget(
  command: string,
  values: { attach?: string; pid?: string },
): InspectorTarget {
  let pid: number | undefined;
  if (values.pid !== undefined) {
    pid = Number(values.pid);
    if (!/^\d+$/.test(values.pid) || pid <= 0) {
      throw new UsageError(`--pid takes a process id, not "${values.pid}"`);
    }
  }
  if ((values.attach === undefined) === (pid === undefined)) {
    throw new UsageError(`${command} needs exactly one of --attach HOST:PORT and --pid PID`);
  }
  if (values.attach !== undefined) return parseHostPort(values.attach);
  return { host: '127.0.0.1', port: 9229, pid };
}
