// What the flame graph page (html.ts) carries in its JSON data block: written by toHtmlData() in
// Node, read by the page's script (html-page/page.ts) in the browser. Types only.
import type { ProfileThread } from '../model';

/**
 * A function as the page shows it: `name` is names.ts displayName(). The model's frames are
 * positions (a function's frames differ by the line running in it), so the page's frames are the
 * model's merged by name and URL, as flame graphs merge them; `line` is the smallest line seen,
 * the one nearest the function's start.
 */
export interface HtmlFrame {
  name: string;
  url: string;
  /** 1-based; 0 when unknown. */
  line: number;
  special?: 'idle' | 'gc' | 'program';
}

/** A thread's figures (ProfileThread's), or a group's summed. */
export interface HtmlTimes {
  cpuMs: number;
  wallMs: number;
  waitMs: number;
  /** 0 when the profile does not say (imported files). */
  readyMs: number;
  samples: number;
  /** The top wait sites of the timelines (ProfileThread.timeline), most waited first. */
  waits: HtmlWaitSite[];
}

export interface HtmlThread extends HtmlTimes {
  id: number;
  /** names.ts threadLabel(): `main`, `fiber #12 "GET /orders"`. */
  label: string;
  /** `unknown` for a thread that samples name but `profile.threads` does not list. */
  kind: ProfileThread['kind'] | 'unknown';
}

/** Where fibers waited: a wait() call site and the time spent waiting there. */
export interface HtmlWaitSite {
  /** names.ts displayName() of the frame that called wait(). */
  name: string;
  /** `url:line` of the call; `''` when unknown. */
  where: string;
  ms: number;
  /** How many waits. */
  count: number;
}

/** Fibers of one name (two or more), selectable together. */
export interface HtmlGroup extends HtmlTimes {
  /** `"GET /orders" (3 fibers)`. */
  label: string;
  /** The fibers' thread ids. */
  ids: number[];
}

/** What the page's `<script type="application/json" id="fiberscope-data">` holds. */
export interface HtmlData {
  title: string;
  durationMs: number;
  intervalUs: number;
  frames: HtmlFrame[];
  threads: HtmlThread[];
  groups: HtmlGroup[];
  /** Unique stacks: indices into `frames`, root first; never empty (an empty one is `(program)`). */
  stacks: number[][];
  /** `[threadId, stack index, weight in µs]`: the summed weight of a thread's samples of a stack. */
  weights: Array<[threadId: number, stack: number, weightUs: number]>;
}
