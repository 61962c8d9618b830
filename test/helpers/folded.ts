// Folded stacks read back into the profile model, for round trips: fiberscope has no importer
// of the format (flamegraph.pl's input; frames `name (url:line)`, `name (url)` or `name`).
import type { Profile, ProfileFrame, ProfileSample, ProfileThread } from 'fiberscope/profiler';

const SPECIAL_OF_NAME: Record<string, ProfileFrame['special']> = {
  '(idle)': 'idle',
  '(garbage collector)': 'gc',
  '(program)': 'program',
};

function frameOf(text: string): ProfileFrame {
  const frame: ProfileFrame = { functionName: text, url: '', line: 0, column: 0, scriptId: 0 };
  const special = SPECIAL_OF_NAME[text];
  if (special !== undefined) return { ...frame, special };
  const withLine = /^(.*) \((.*):(\d+)\)$/s.exec(text);
  if (withLine !== null) {
    const [, functionName, url, line] = withLine as unknown as [string, string, string, string];
    return { ...frame, functionName, url, line: Number(line) };
  }
  const withUrl = /^(.*) \((.*)\)$/s.exec(text);
  if (withUrl !== null) {
    const [, functionName, url] = withUrl as unknown as [string, string, string];
    return { ...frame, functionName, url };
  }
  return frame;
}

/** `main`, `fiber #12 "name"`, `fiber #12` (toFolded()'s thread labels) back to a thread. */
function threadOf(label: string): ProfileThread {
  const thread = { cpuMs: 0, wallMs: 0, waitMs: 0, samples: 0 };
  if (label === 'main') return { ...thread, id: 0, name: 'main', kind: 'main' };
  const match = /^fiber #(\d+)(?: (".*"))?$/s.exec(label);
  if (match === null) throw new Error(`Not a thread label: ${label}`);
  const name = match[2] === undefined ? '' : (JSON.parse(match[2]) as string);
  return { ...thread, id: Number(match[1]), name, kind: 'fiber' };
}

/**
 * toFolded()'s text back in the model: one sample per line, weighing its count in µs; frames one
 * per distinct text; with `byThread`, each line's first frame is its thread's label.
 */
export function fromFolded(text: string, byThread = false): Profile {
  const frames: ProfileFrame[] = [];
  const frameIndex = new Map<string, number>();
  const threads = new Map<number, ProfileThread>();
  const samples: ProfileSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const space = line.lastIndexOf(' ');
    const parts = line.slice(0, space).split(';');
    let threadId = 0;
    if (byThread) {
      const thread = threadOf(parts.shift() as string);
      if (!threads.has(thread.id)) threads.set(thread.id, thread);
      threadId = thread.id;
    }
    const stack = parts.map((part) => {
      let index = frameIndex.get(part);
      if (index === undefined) {
        index = frames.length;
        frames.push(frameOf(part));
        frameIndex.set(part, index);
      }
      return index;
    });
    samples.push({ timeUs: 0, weightUs: Number(line.slice(space + 1)), threadId, stack });
  }
  return {
    startTimeUs: 0,
    endTimeUs: 0,
    intervalUs: 0,
    frames,
    samples,
    threads: [...threads.values()],
  };
}
