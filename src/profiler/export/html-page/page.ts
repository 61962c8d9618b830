// The flame graph page's script, which toHtml() (../html.ts) inlines in the page: browser code,
// no framework, no network. It reads the page's JSON data block (HtmlData, ../html-data.ts),
// builds the call tree of the selected thread, and draws it as absolutely positioned divs.
//
// A script, not a module (no import or export: the page runs it as it is), for any current
// browser (ES2020). Type-checked with the DOM's types, not Node's (./tsconfig.json; the Node
// build leaves this folder out), and built to dist/ by scripts/build-html-page.js.

type HtmlData = import('../html-data').HtmlData;
type HtmlGroup = import('../html-data').HtmlGroup;
type HtmlThread = import('../html-data').HtmlThread;
type HtmlTimes = import('../html-data').HtmlTimes;

/** A node of the call tree: a function (index into `data.frames`), or the root (-1). */
interface TreeNode {
  frame: number;
  /** The root's name: the selection's label. */
  label?: string;
  /** Time in µs in this node and below it, and in this node alone. */
  total: number;
  self: number;
  parent: TreeNode | null;
  /** The children by frame while the tree is built; then null, and `kids` sorted by name. */
  map: Map<number, TreeNode> | null;
  kids: TreeNode[];
}

/** The selection: all threads, a thread id, or 'g' and the index of a name group. */
type Selected = 'all' | number | string;

(() => {
  const ROW = 18; // px per stack level
  const MIN_WIDTH = 1; // frames narrower than this are not drawn
  const LABEL_WIDTH = 24; // nor labelled below this
  const byId = <T extends HTMLElement = HTMLElement>(id: string) =>
    document.getElementById(id) as T;
  const data = JSON.parse(byId('fiberscope-data').textContent as string) as HtmlData;
  const flame = byId('flame');
  const tip = byId('tip');
  const select = byId<HTMLSelectElement>('thread');
  const search = byId<HTMLInputElement>('search');
  const hideIdle = byId<HTMLInputElement>('hide-idle');
  const threadsById = new Map(data.threads.map((t) => [t.id, t]));
  function selected(): HtmlThread | HtmlGroup | undefined {
    if (state.thread === 'all') return undefined;
    if (typeof state.thread === 'number') return threadsById.get(state.thread);
    return data.groups[Number(state.thread.slice(1))];
  }
  function idsOf(selection: HtmlThread | HtmlGroup): Set<number> {
    return 'ids' in selection ? new Set(selection.ids) : new Set([selection.id]);
  }
  // root and zoom are set by selectThread(), before anything is drawn.
  const state = {
    thread: 'all' as Selected,
    root: null as unknown as TreeNode,
    zoom: null as unknown as TreeNode,
    query: '',
  };
  let drawn: TreeNode[] = []; // the node of each drawn box, by its data-i

  function fmtMs(ms: number): string {
    return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
  }
  function pct(part: number, whole: number): string {
    return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '0%';
  }
  function el<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    className?: string,
    text?: string,
  ): HTMLElementTagNameMap[K] {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function nameOf(node: TreeNode): string {
    return node.frame < 0 ? (node.label as string) : data.frames[node.frame].name;
  }
  function whereOf(node: TreeNode): string {
    if (node.frame < 0) return '';
    const f = data.frames[node.frame];
    if (!f.url) return '';
    return f.url + (f.line > 0 ? `:${f.line}` : '');
  }

  // The call tree of one thread (or all), children merged by frame and sorted by name.
  function build(): TreeNode {
    const selection = selected();
    const label = selection ? selection.label : 'all threads';
    const ids = selection ? idsOf(selection) : null;
    const root: TreeNode = {
      frame: -1,
      label,
      total: 0,
      self: 0,
      parent: null,
      map: new Map(),
      kids: [],
    };
    const skipIdle = hideIdle.checked;
    for (const [thread, stackIndex, weight] of data.weights) {
      if (ids && !ids.has(thread)) continue;
      const stack = data.stacks[stackIndex];
      if (skipIdle && data.frames[stack[stack.length - 1]].special === 'idle') continue;
      let node = root;
      root.total += weight;
      for (const frame of stack) {
        const map = node.map as Map<number, TreeNode>;
        let child = map.get(frame);
        if (!child) {
          child = { frame, total: 0, self: 0, parent: node, map: new Map(), kids: [] };
          map.set(frame, child);
        }
        child.total += weight;
        node = child;
      }
      node.self += weight;
    }
    const pending = [root];
    while (pending.length > 0) {
      const n = pending.pop() as TreeNode;
      n.kids = Array.from((n.map as Map<number, TreeNode>).values()).sort((a, b) => {
        const x = nameOf(a);
        const y = nameOf(b);
        return x < y ? -1 : x > y ? 1 : a.frame - b.frame;
      });
      n.map = null;
      for (const kid of n.kids) pending.push(kid);
    }
    return root;
  }

  function hash(text: string): number {
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
    return h;
  }
  function colorOf(node: TreeNode): string {
    if (node.frame < 0) return '#c9ccd6';
    const f = data.frames[node.frame];
    if (f.special === 'idle') return '#dcdcdc';
    if (f.special === 'gc') return '#b7c4dd';
    if (f.special) return '#cbcbcb';
    const h = hash(f.name);
    if (/^(node:|internal\/)/.test(f.url)) {
      return `hsl(${185 + (h % 30)},45%,${66 + ((h >> 8) % 12)}%)`;
    }
    return `hsl(${h % 48},${78 + ((h >> 8) % 18)}%,${56 + ((h >> 16) % 14)}%)`;
  }

  function matches(node: TreeNode): boolean {
    if (!state.query || node.frame < 0) return false;
    const f = data.frames[node.frame];
    return (
      f.name.toLowerCase().indexOf(state.query) >= 0 ||
      (f.url !== '' && f.url.toLowerCase().indexOf(state.query) >= 0)
    );
  }

  function addBox(
    parent: Node,
    node: TreeNode,
    x: number,
    width: number,
    depth: number,
    ancestor: boolean,
  ): void {
    const box = el('div', `frame${ancestor ? ' ancestor' : ''}${matches(node) ? ' match' : ''}`);
    box.style.left = `${x.toFixed(1)}px`;
    box.style.top = `${depth * ROW}px`;
    box.style.width = `${width.toFixed(1)}px`;
    box.style.background = colorOf(node);
    if (width >= LABEL_WIDTH) box.textContent = nameOf(node);
    box.dataset.i = String(drawn.length);
    drawn.push(node);
    parent.appendChild(box);
  }

  /** The zoomed-in node and its ancestors, the root first. */
  function zoomPath(): TreeNode[] {
    const path: TreeNode[] = [];
    for (let n: TreeNode | null = state.zoom; n; n = n.parent) path.unshift(n);
    return path;
  }

  function render(): void {
    hideTip();
    flame.textContent = '';
    drawn = [];
    flame.classList.toggle('searching', state.query !== '');
    renderCrumbs();
    renderMatched();
    const root = state.root;
    if (root.total <= 0) {
      flame.style.height = '';
      flame.appendChild(el('div', 'empty', 'No samples for this thread.'));
      return;
    }
    const width = flame.clientWidth;
    const boxes = document.createDocumentFragment();
    const path = zoomPath();
    for (let i = 0; i < path.length; i++) {
      addBox(boxes, path[i], 0, width, i, path[i] !== state.zoom);
    }
    let maxDepth = path.length - 1;
    const pending: Array<[TreeNode, number, number, number]> = [
      [state.zoom, 0, width, path.length - 1],
    ];
    while (pending.length > 0) {
      const item = pending.pop() as [TreeNode, number, number, number];
      const [node, , w, depth] = item;
      let x = item[1];
      for (const kid of node.kids) {
        const kw = (w * kid.total) / node.total;
        if (kw >= MIN_WIDTH) {
          addBox(boxes, kid, x, kw, depth + 1, false);
          if (depth + 1 > maxDepth) maxDepth = depth + 1;
          pending.push([kid, x, kw, depth + 1]);
        }
        x += kw;
      }
    }
    flame.style.height = `${(maxDepth + 1) * ROW}px`;
    flame.appendChild(boxes);
  }

  function renderCrumbs(): void {
    const crumbs = byId('crumbs');
    crumbs.textContent = '';
    const reset = el('button', 'reset', 'Reset zoom');
    reset.disabled = state.zoom === state.root;
    reset.addEventListener('click', () => {
      zoomTo(state.root);
    });
    crumbs.appendChild(reset);
    zoomPath().forEach((node, i) => {
      if (i > 0) crumbs.appendChild(el('span', 'sep', '\u203a'));
      const crumb = el('button', 'crumb', nameOf(node));
      crumb.title = nameOf(node);
      crumb.disabled = node === state.zoom;
      crumb.addEventListener('click', () => {
        zoomTo(node);
      });
      crumbs.appendChild(crumb);
    });
  }

  function renderMatched(): void {
    const out = byId('matched');
    if (!state.query) {
      out.textContent = '';
      return;
    }
    // Matched time: matching frames' totals, not counting a match inside another one twice.
    let sum = 0;
    const pending = [state.root];
    while (pending.length > 0) {
      const n = pending.pop() as TreeNode;
      if (matches(n)) {
        sum += n.total;
        continue;
      }
      for (const kid of n.kids) pending.push(kid);
    }
    out.textContent = `Matched: ${pct(sum, state.root.total)} of total (${fmtMs(sum / 1000)} ms)`;
  }

  function zoomTo(node: TreeNode): void {
    state.zoom = node;
    render();
  }

  function renderSelection(): void {
    const out = byId('selection');
    const selection = selected();
    if (
      !selection ||
      ('kind' in selection && (selection.kind === 'main' || selection.kind === 'unknown'))
    ) {
      out.textContent = '';
      return;
    }
    const runningMs = Math.max(0, selection.wallMs - selection.waitMs - selection.readyMs);
    let text =
      `${selection.label}: running ${fmtMs(runningMs)} ms, waiting ` +
      `${fmtMs(selection.waitMs)} ms, ready ${fmtMs(selection.readyMs)} ms`;
    if (selection.waits.length > 0) {
      text += `; waits at ${selection.waits
        .map((w) => `${w.name}${w.where ? ` (${w.where})` : ''} ${fmtMs(w.ms)} ms \u00d7${w.count}`)
        .join(', ')}`;
    }
    out.textContent = text;
  }
  function topWait(t: HtmlTimes): string {
    const w = t.waits[0];
    return w ? `${w.name}${w.where ? ` (${w.where})` : ''} ${fmtMs(w.ms)}` : '';
  }

  function selectThread(value: string): void {
    state.thread = value === 'all' || value.charAt(0) === 'g' ? value : Number(value);
    select.value = value;
    state.root = build();
    state.zoom = state.root;
    for (const row of Array.from(byId('threads').children) as HTMLElement[]) {
      row.classList.toggle('selected', row.dataset.thread === value);
    }
    renderSelection();
    render();
  }

  function showTip(node: TreeNode, event: MouseEvent): void {
    const total = state.root.total;
    tip.textContent = '';
    tip.appendChild(el('div', 'name', nameOf(node)));
    const where = whereOf(node);
    if (where) tip.appendChild(el('div', 'where', where));
    tip.appendChild(
      el('div', '', `Total: ${fmtMs(node.total / 1000)} ms (${pct(node.total, total)})`),
    );
    tip.appendChild(
      el('div', '', `Self: ${fmtMs(node.self / 1000)} ms (${pct(node.self, total)})`),
    );
    tip.appendChild(el('div', 'hint', node === state.zoom ? 'Zoomed in' : 'Click to zoom'));
    tip.style.display = 'block';
    let x = event.clientX + 14;
    let y = event.clientY + 14;
    if (x + tip.offsetWidth > window.innerWidth - 4) {
      x = Math.max(4, event.clientX - tip.offsetWidth - 14);
    }
    if (y + tip.offsetHeight > window.innerHeight - 4) {
      y = Math.max(4, event.clientY - tip.offsetHeight - 14);
    }
    tip.style.left = `${x}px`;
    tip.style.top = `${y}px`;
  }
  function hideTip(): void {
    tip.style.display = 'none';
  }
  /** The element of `event`'s target, or the closest one around it that matches `selector`. */
  function closest(event: Event, selector: string): HTMLElement | null {
    return event.target instanceof Element ? event.target.closest<HTMLElement>(selector) : null;
  }
  function boxAt(event: Event): TreeNode | undefined {
    const box = closest(event, '.frame');
    return box ? drawn[Number(box.dataset.i)] : undefined;
  }

  // Summary, thread selector and thread table.
  const totalSamples = data.threads.reduce((sum, t) => sum + t.samples, 0);
  byId('summary').textContent =
    `${fmtMs(data.durationMs)} ms profiled, ${totalSamples} samples` +
    (data.intervalUs > 0 ? ` every ${data.intervalUs} \u00b5s` : '') +
    `, ${data.threads.length}${data.threads.length === 1 ? ' thread' : ' threads'}`;
  const tbody = byId('threads');
  const allRow = el('tr');
  allRow.dataset.thread = 'all';
  const allCpuMs = data.threads.reduce((sum, t) => sum + t.cpuMs, 0);
  for (const text of [
    'All threads',
    '',
    String(totalSamples),
    fmtMs(allCpuMs),
    fmtMs(data.durationMs),
    '',
    '',
    '',
  ]) {
    allRow.appendChild(el('td', '', text));
  }
  tbody.appendChild(allRow);
  function addRow(value: string, kind: string, t: HtmlThread | HtmlGroup): void {
    const row = el('tr');
    row.dataset.thread = value;
    for (const text of [
      t.label,
      kind,
      String(t.samples),
      fmtMs(t.cpuMs),
      fmtMs(t.wallMs),
      fmtMs(t.waitMs),
      fmtMs(t.readyMs),
      topWait(t),
    ]) {
      row.appendChild(el('td', '', text));
    }
    tbody.appendChild(row);
  }
  data.groups.forEach((g, i) => {
    select.appendChild(el('option', '', g.label)).value = `g${i}`;
    addRow(`g${i}`, 'fibers', g);
  });
  for (const t of data.threads) {
    select.appendChild(el('option', '', t.label)).value = String(t.id);
    addRow(String(t.id), t.kind, t);
  }
  const table = tbody.parentNode as HTMLTableElement;
  const wrap = el('div', 'wrap');
  (table.parentNode as Node).insertBefore(wrap, table);
  wrap.appendChild(table);

  tbody.addEventListener('click', (event) => {
    const row = closest(event, 'tr');
    if (row) selectThread(row.dataset.thread as string);
  });
  select.addEventListener('change', () => {
    selectThread(select.value);
  });
  hideIdle.addEventListener('change', () => {
    selectThread(select.value);
  });
  search.addEventListener('input', () => {
    state.query = search.value.trim().toLowerCase();
    render();
  });
  flame.addEventListener('click', (event) => {
    const node = boxAt(event);
    if (node) zoomTo(node);
  });
  flame.addEventListener('mousemove', (event) => {
    const node = boxAt(event);
    if (node) showTip(node, event);
    else hideTip();
  });
  flame.addEventListener('mouseleave', hideTip);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      if (document.activeElement === search && search.value) {
        search.value = '';
        state.query = '';
        render();
      } else zoomTo(state.root);
    } else if (event.key === '/' && document.activeElement !== search) {
      event.preventDefault();
      search.focus();
    }
  });
  let pendingResize = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pendingResize);
    pendingResize = requestAnimationFrame(render);
  });

  // '#thread=<id>' or '#thread=g<group>' in the address selects that thread or name group.
  const wanted = /^#thread=(all|g\d+|\d+)$/.exec(location.hash);
  const known =
    wanted &&
    (wanted[1] === 'all' ||
      (wanted[1].charAt(0) === 'g'
        ? data.groups[Number(wanted[1].slice(1))]
        : threadsById.get(Number(wanted[1]))));
  selectThread(known && wanted ? wanted[1] : 'all');
})();
