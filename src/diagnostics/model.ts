// The structure of a fiber dump: what dumpFibers() returns, `fiberscope dump --json` prints and
// docs/api/fiber-dump.schema.json describes.
import type { StitchedFrame } from '../stitch/model';

export type DumpedFiberState = 'running' | 'waiting' | 'suspended';

/** One level of a fiber's spawn chain: the fiber, and where it was spawned. */
export interface SpawnLevel {
  id: number;
  name: string;
  frames: StitchedFrame[];
}

export interface DumpedFiber {
  id: number;
  name: string;
  /** running: it holds the thread (or runs the fiber that does); waiting: in wait() for a
   *  promise; suspended: yielded otherwise (Future.wait(), Fiber.yield()). */
  state: DumpedFiberState;
  ageMs: number;
  /** How long it has been in its state; null where not known (see the docs). */
  stateMs: number | null;
  /** Where it is suspended, or, for the fiber the dump interrupted, where it is running. */
  frames: StitchedFrame[];
  /** Where it was spawned, then where its spawner was, and so on. */
  spawnChain: SpawnLevel[];
}

/** Fibers of one state whose frames and spawn chains' frames are identical. */
export interface FiberGroup {
  count: number;
  state: DumpedFiberState;
  medianStateMs: number | null;
  maxStateMs: number | null;
  /** The fibers' ids, in id order. */
  ids: number[];
  /** Their distinct names with how many fibers bear each, most frequent first (at most 10). */
  names: Array<{ name: string; count: number }>;
  /** How many distinct names they have. */
  nameCount: number;
  frames: StitchedFrame[];
  /** The spawn chain of the group's first fiber (names and ids are that fiber's). */
  spawnChain: SpawnLevel[];
}

export interface MainThread {
  /** idle: the event loop was waiting for events when the dump ran; running: the main thread
   *  runs JavaScript (its frames); in-fiber: it is running the fiber `fiberId`. */
  state: 'idle' | 'running' | 'in-fiber';
  fiberId: number | null;
  frames: StitchedFrame[];
}

export interface FiberDump {
  version: 1;
  pid: number;
  /** When the dump was taken (ISO 8601). */
  time: string;
  main: MainThread;
  /** The dump interrupted JavaScript that held the thread, which every other fiber and the
   *  event loop wait for: on the main thread (fiberId null) or in a fiber. */
  busy: { fiberId: number | null; frames: StitchedFrame[] } | null;
  /** Whether the suspended fibers' frames are where they are now (probed), rather than where
   *  they were recorded (or unknown): false when the dump interrupted busy code. */
  probed: boolean;
  fibers: DumpedFiber[];
  /** The fibers grouped, largest group first. */
  groups: FiberGroup[];
}
