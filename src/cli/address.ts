import { UsageError } from './usage-error';

/** `--attach HOST:PORT`: `127.0.0.1:9229`, `localhost:9229`, `[::1]:9229` (an IPv6 host in
 *  brackets only: in `::1:9229` the port cannot be told apart). */
export function parseHostPort(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^[\]:]+)):(\d+)$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) {
    throw new UsageError(`--attach takes HOST:PORT, not "${value}"`);
  }
  return { host: (match[1] ?? match[2]) as string, port };
}
