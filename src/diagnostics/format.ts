// A fiber dump as text: a line per group ("312 fibers waiting 4.1s (median) at query (db.js:59)
// <- loadOrder (orders.js:3)"), its frames and spawn chain below it.
import path from 'node:path';
import { formatFrame } from '../stitch/format';
import type { StitchedFrame } from '../stitch/model';
import { separatorLine } from '../stitch/parse';
import { bold, cyan, dim, yellow } from '../util/ansi';
import { formatDuration } from '../util/duration';
import type { FiberDump, FiberGroup, SpawnLevel } from './model';

export interface FormatDumpOptions {
  /** ANSI colors. */
  color?: boolean;
  /** How many frames the headline of a group names. Default 3. */
  headlineFrames?: number;
}

function shortFrame(frame: StitchedFrame): string {
  const name = frame.functionName || '<anonymous>';
  if (frame.file === '') return name;
  return `${name} (${path.basename(frame.file)}:${frame.line})`;
}

function headline(group: FiberGroup, frameCount: number): string {
  const who = `${group.count} ${group.count === 1 ? 'fiber' : 'fibers'} ${group.state}`;
  let time = '';
  if (group.medianStateMs !== null) {
    time =
      group.count === 1
        ? ` ${formatDuration(group.medianStateMs)}`
        : ` ${formatDuration(group.medianStateMs)} (median, longest ${formatDuration(group.maxStateMs ?? 0)})`;
  }
  const shown = group.frames.filter((frame) => !frame.native).slice(0, frameCount);
  let where: string;
  if (shown.length > 0) {
    const more = group.frames.length > shown.length ? ' ...' : '';
    where = ` at ${shown.map(shortFrame).join(' <- ')}${more}`;
  } else if (group.state === 'running') {
    where = '';
  } else {
    where = ' (where: not recorded)';
  }
  return `${who}${time}${where}`;
}

const NAMES_SHOWN = 3;

function names(group: FiberGroup): string {
  const listed = group.names.slice(0, NAMES_SHOWN).map(({ name, count }) => {
    const shown = name === '' ? '(anonymous)' : JSON.stringify(name);
    return group.count === 1 ? shown : `${shown} x${count}`;
  });
  if (group.nameCount > NAMES_SHOWN) listed.push(`${group.nameCount - NAMES_SHOWN} more names`);
  const ids =
    group.ids.length <= 8
      ? group.ids.map((id) => `#${id}`).join(' ')
      : `${group.ids
          .slice(0, 8)
          .map((id) => `#${id}`)
          .join(' ')} ... (${group.ids.length - 8} more)`;
  return `  ${ids}: ${listed.join(', ')}`;
}

function frameLines(frames: StitchedFrame[], spawnChain: SpawnLevel[], color: boolean): string[] {
  const lines = frames.map((frame) => formatFrame(frame));
  for (const level of spawnChain) {
    lines.push(separatorLine('spawn', level.id, level.name));
    lines.push(...level.frames.map((frame) => formatFrame(frame)));
  }
  return color ? lines.map((line) => dim(line)) : lines;
}

/** The dump as text, for people: the busy code first (if any), the main thread, the groups. */
export function formatFiberDump(dump: FiberDump, options: FormatDumpOptions = {}): string {
  const color = options.color === true;
  const frameCount = options.headlineFrames ?? 3;
  const count = dump.fibers.length;
  const lines = [
    `Fiber dump of pid ${dump.pid} at ${dump.time}: ${count} live ${count === 1 ? 'fiber' : 'fibers'}${dump.groups.length > 1 ? ` in ${dump.groups.length} groups` : ''}`,
  ];
  if (dump.busy !== null) {
    const who = dump.busy.fiberId === null ? 'The main thread' : `Fiber #${dump.busy.fiberId}`;
    const warning = `${who} is running JavaScript without yielding: every other fiber and the event loop wait for it. It is running:`;
    lines.push('', color ? yellow(warning) : warning);
    lines.push(...frameLines(dump.busy.frames, [], color));
    if (!dump.probed) {
      lines.push('Suspended fibers show where they were recorded suspending, if anywhere.');
    }
  }
  lines.push('');
  if (dump.main.state === 'idle') lines.push('Main thread: idle (the event loop waits for events)');
  else if (dump.main.state === 'in-fiber') {
    lines.push(`Main thread: running fiber #${dump.main.fiberId}`);
  } else {
    lines.push('Main thread: running');
    lines.push(...frameLines(dump.main.frames, [], color));
  }
  for (const group of dump.groups) {
    const title = headline(group, frameCount);
    lines.push('', color ? bold(cyan(title)) : title, names(group));
    lines.push(...frameLines(group.frames, group.spawnChain, color));
  }
  return lines.join('\n');
}
