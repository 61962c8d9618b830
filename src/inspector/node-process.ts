// Before `--pid` sends SIGUSR1: whether the process is Node.js and will take it. SIGUSR1 makes a
// Node.js process open its inspector, but its default action ends a process, so a mistyped pid
// (a shell, a database) would be killed by it.
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';

/** node, nodejs, node20, node-22.1, node.exe: the names Node.js's binary goes by. */
const NODE_BINARY = /^node(?:js)?(?:[-_]?v?\d[\w.]*)?(?:\.exe)?$/i;

/**
 * Throws, with what was found, unless `pid` is a Node.js process that handles SIGUSR1; nothing is
 * sent. Linux: the binary from /proc/<pid>/exe, and whether SIGUSR1 is caught from the SigCgt mask
 * of /proc/<pid>/status (not caught: a process started with --disable-sigusr1, or not Node.js).
 * Other Unix systems: the binary from `ps` (the handler cannot be seen there). Windows has no
 * SIGUSR1: refused.
 */
export function assertNodeProcess(pid: number, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') {
    throw new Error(
      '--pid needs SIGUSR1, which Windows does not have: start the target with --inspect and use --attach',
    );
  }
  const binary = platform === 'linux' ? linuxBinary(pid) : psBinary(pid);
  const name = path.basename(binary);
  if (!NODE_BINARY.test(name)) {
    throw new Error(
      `pid ${pid} is ${binary}, not Node.js: SIGUSR1, which could end it, was not sent (a Node.js program under another name: kill -USR1 ${pid} yourself, then --attach 127.0.0.1:9229)`,
    );
  }
  if (platform === 'linux' && !catchesSigusr1(pid)) {
    throw new Error(
      `pid ${pid} (${binary}) does not handle SIGUSR1 (a Node.js started with --disable-sigusr1?): it was not sent, as it would end the process`,
    );
  }
}

function linuxBinary(pid: number): string {
  try {
    // A binary replaced since the process started (an upgrade) reads `/usr/bin/node (deleted)`.
    return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`no process has pid ${pid}`);
    throw new Error(
      `cannot tell what pid ${pid} runs (/proc/${pid}/exe: ${code}): it was not signalled`,
    );
  }
}

function catchesSigusr1(pid: number): boolean {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    throw new Error(`no process has pid ${pid}`);
  }
  const mask = /^SigCgt:\s*([0-9a-f]+)$/im.exec(status)?.[1];
  if (mask === undefined) return false;
  return (BigInt(`0x${mask}`) >> BigInt(constants.signals.SIGUSR1 - 1)) % 2n === 1n;
}

function psBinary(pid: number): string {
  let output: string;
  try {
    // comm: the binary's path on macOS and the BSDs.
    output = execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
  } catch (error) {
    // ps exits with 1 when no process has the pid.
    if ((error as { status?: number }).status === 1) throw new Error(`no process has pid ${pid}`);
    throw new Error(
      `cannot tell what pid ${pid} runs (ps: ${(error as Error).message}): it was not signalled`,
    );
  }
  const binary = output.trim();
  if (binary === '') throw new Error(`no process has pid ${pid}`);
  return binary;
}
