// The CSS and JavaScript of the flame graph page that html.ts writes. Plain ES2020 for any current
// browser, no framework, no network. The script reads the JSON data block (HtmlData in html.ts),
// builds the call tree of the selected thread, and draws it as absolutely positioned divs.
// (No backticks or dollar-brace in here: these are template literals.)

export const HTML_STYLE = `
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1d1d1f; background: #fff; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px;
  padding: 8px 12px 4px; }
h1 { font-size: 16px; margin: 0; }
#summary, #matched, .muted { color: #666; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 16px; padding: 4px 12px; }
#search { width: 260px; padding: 2px 6px; font: inherit; }
#matched { font-variant-numeric: tabular-nums; }
#selection { padding: 2px 12px; color: #444; font-variant-numeric: tabular-nums; min-height: 1.4em; }
details { padding: 2px 12px; }
summary { cursor: pointer; color: #444; }
details table { border-collapse: collapse; margin: 4px 0; font-variant-numeric: tabular-nums; }
details .wrap { max-height: 160px; overflow: auto; }
th, td { padding: 1px 10px 1px 0; text-align: right; white-space: nowrap; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
th { font-weight: 600; color: #444; border-bottom: 1px solid #ddd; }
tbody tr { cursor: pointer; }
tbody tr:hover { background: #f2f2f7; }
tbody tr.selected { background: #e3ecff; }
#crumbs { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; padding: 6px 12px;
  min-height: 32px; }
#crumbs button { font: inherit; font-size: 12px; padding: 1px 6px; max-width: 320px;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; cursor: pointer; }
#crumbs .sep { color: #999; }
main { padding: 0 12px 16px; }
#flame { position: relative; overflow: hidden; min-height: 40px;
  font: 11px/17px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
#flame .empty { color: #666; font: 13px/1.4 system-ui, sans-serif; padding: 12px 0; }
.frame { position: absolute; height: 17px; padding: 0 3px; overflow: hidden; white-space: nowrap;
  text-overflow: ellipsis; color: #000; cursor: pointer; box-shadow: inset -1px 0 #fff; }
.frame:hover { box-shadow: inset 0 0 0 1px #000; }
.frame.ancestor { opacity: 0.6; }
#flame.searching .frame { filter: saturate(0.15) opacity(0.55); }
#flame.searching .frame.match { filter: none; background: #d23cf0 !important; color: #fff; }
#tip { position: fixed; z-index: 10; display: none; max-width: 560px; padding: 6px 8px;
  border-radius: 4px; background: rgba(28, 28, 30, 0.94); color: #fff; font-size: 12px;
  pointer-events: none; word-break: break-all; }
#tip .name { font-weight: 600; }
#tip .where { color: #bbb; }
#tip .hint { color: #999; margin-top: 2px; }
`;

export const HTML_SCRIPT = `
(function () {
  'use strict';
  var ROW = 18; // px per stack level
  var MIN_WIDTH = 1; // frames narrower than this are not drawn
  var LABEL_WIDTH = 24; // nor labelled below this
  var data = JSON.parse(document.getElementById('fiberscope-data').textContent);
  var byId = function (id) { return document.getElementById(id); };
  var flame = byId('flame');
  var tip = byId('tip');
  var select = byId('thread');
  var search = byId('search');
  var hideIdle = byId('hide-idle');
  var threadsById = new Map(data.threads.map(function (t) { return [t.id, t]; }));
  // A selection: 'all', a thread id, or 'g' + the index of a name group.
  function selected() {
    if (state.thread === 'all') return null;
    if (typeof state.thread === 'number') return threadsById.get(state.thread);
    return data.groups[Number(state.thread.slice(1))];
  }
  function idsOf(selection) {
    return selection.ids ? new Set(selection.ids) : new Set([selection.id]);
  }
  var state = { thread: 'all', root: null, zoom: null, query: '' };
  var drawn = []; // the node of each drawn box, by its data-i

  function fmtMs(ms) {
    return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
  }
  function pct(part, whole) {
    return whole > 0 ? ((100 * part) / whole).toFixed(1) + '%' : '0%';
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function nameOf(node) {
    return node.frame < 0 ? node.label : data.frames[node.frame].name;
  }
  function whereOf(node) {
    if (node.frame < 0) return '';
    var f = data.frames[node.frame];
    if (!f.url) return '';
    return f.url + (f.line > 0 ? ':' + f.line : '');
  }

  // The call tree of one thread (or all), children merged by frame and sorted by name.
  function build() {
    var selection = selected();
    var label = selection ? selection.label : 'all threads';
    var ids = selection ? idsOf(selection) : null;
    var root = { frame: -1, label: label, total: 0, self: 0, parent: null, map: new Map(), kids: [] };
    var skipIdle = hideIdle.checked;
    for (var i = 0; i < data.weights.length; i++) {
      var entry = data.weights[i];
      if (ids && !ids.has(entry[0])) continue;
      var stack = data.stacks[entry[1]];
      var weight = entry[2];
      if (skipIdle && data.frames[stack[stack.length - 1]].special === 'idle') continue;
      var node = root;
      root.total += weight;
      for (var j = 0; j < stack.length; j++) {
        var child = node.map.get(stack[j]);
        if (!child) {
          child = { frame: stack[j], total: 0, self: 0, parent: node, map: new Map(), kids: [] };
          node.map.set(stack[j], child);
        }
        child.total += weight;
        node = child;
      }
      node.self += weight;
    }
    var pending = [root];
    while (pending.length > 0) {
      var n = pending.pop();
      n.kids = Array.from(n.map.values()).sort(function (a, b) {
        var x = nameOf(a), y = nameOf(b);
        return x < y ? -1 : x > y ? 1 : a.frame - b.frame;
      });
      n.map = null;
      for (var k = 0; k < n.kids.length; k++) pending.push(n.kids[k]);
    }
    return root;
  }

  function hash(text) {
    var h = 2166136261;
    for (var i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
    return h;
  }
  function colorOf(node) {
    if (node.frame < 0) return '#c9ccd6';
    var f = data.frames[node.frame];
    if (f.special === 'idle') return '#dcdcdc';
    if (f.special === 'gc') return '#b7c4dd';
    if (f.special) return '#cbcbcb';
    var h = hash(f.name);
    if (/^(node:|internal\\/)/.test(f.url)) {
      return 'hsl(' + (185 + (h % 30)) + ',45%,' + (66 + ((h >> 8) % 12)) + '%)';
    }
    return 'hsl(' + (h % 48) + ',' + (78 + ((h >> 8) % 18)) + '%,' + (56 + ((h >> 16) % 14)) + '%)';
  }

  function matches(node) {
    if (!state.query || node.frame < 0) return false;
    var f = data.frames[node.frame];
    return f.name.toLowerCase().indexOf(state.query) >= 0 ||
      (f.url !== '' && f.url.toLowerCase().indexOf(state.query) >= 0);
  }

  function addBox(parent, node, x, width, depth, ancestor) {
    var box = el('div', 'frame' + (ancestor ? ' ancestor' : '') + (matches(node) ? ' match' : ''));
    box.style.left = x.toFixed(1) + 'px';
    box.style.top = depth * ROW + 'px';
    box.style.width = width.toFixed(1) + 'px';
    box.style.background = colorOf(node);
    if (width >= LABEL_WIDTH) box.textContent = nameOf(node);
    box.dataset.i = String(drawn.length);
    drawn.push(node);
    parent.appendChild(box);
  }

  function render() {
    hideTip();
    flame.textContent = '';
    drawn = [];
    flame.classList.toggle('searching', state.query !== '');
    renderCrumbs();
    renderMatched();
    var root = state.root;
    if (root.total <= 0) {
      flame.style.height = '';
      flame.appendChild(el('div', 'empty', 'No samples for this thread.'));
      return;
    }
    var width = flame.clientWidth;
    var boxes = document.createDocumentFragment();
    var path = [];
    for (var n = state.zoom; n; n = n.parent) path.unshift(n);
    for (var i = 0; i < path.length; i++) {
      addBox(boxes, path[i], 0, width, i, path[i] !== state.zoom);
    }
    var maxDepth = path.length - 1;
    var pending = [[state.zoom, 0, width, path.length - 1]];
    while (pending.length > 0) {
      var item = pending.pop();
      var node = item[0], x = item[1], w = item[2], depth = item[3];
      for (var k = 0; k < node.kids.length; k++) {
        var kid = node.kids[k];
        var kw = (w * kid.total) / node.total;
        if (kw >= MIN_WIDTH) {
          addBox(boxes, kid, x, kw, depth + 1, false);
          if (depth + 1 > maxDepth) maxDepth = depth + 1;
          pending.push([kid, x, kw, depth + 1]);
        }
        x += kw;
      }
    }
    flame.style.height = (maxDepth + 1) * ROW + 'px';
    flame.appendChild(boxes);
  }

  function renderCrumbs() {
    var crumbs = byId('crumbs');
    crumbs.textContent = '';
    var reset = el('button', 'reset', 'Reset zoom');
    reset.disabled = state.zoom === state.root;
    reset.addEventListener('click', function () { zoomTo(state.root); });
    crumbs.appendChild(reset);
    var path = [];
    for (var n = state.zoom; n; n = n.parent) path.unshift(n);
    path.forEach(function (node, i) {
      if (i > 0) crumbs.appendChild(el('span', 'sep', '\\u203a'));
      var crumb = el('button', 'crumb', nameOf(node));
      crumb.title = nameOf(node);
      crumb.disabled = node === state.zoom;
      crumb.addEventListener('click', function () { zoomTo(node); });
      crumbs.appendChild(crumb);
    });
  }

  function renderMatched() {
    var out = byId('matched');
    if (!state.query) { out.textContent = ''; return; }
    // Matched time: matching frames' totals, not counting a match inside another one twice.
    var sum = 0;
    var pending = [state.root];
    while (pending.length > 0) {
      var n = pending.pop();
      if (matches(n)) { sum += n.total; continue; }
      for (var k = 0; k < n.kids.length; k++) pending.push(n.kids[k]);
    }
    out.textContent = 'Matched: ' + pct(sum, state.root.total) + ' of total (' +
      fmtMs(sum / 1000) + ' ms)';
  }

  function zoomTo(node) {
    state.zoom = node;
    render();
  }

  function renderSelection() {
    var out = byId('selection');
    var selection = selected();
    if (!selection || selection.kind === 'main' || selection.kind === 'unknown') {
      out.textContent = '';
      return;
    }
    var runningMs = Math.max(0, selection.wallMs - selection.waitMs - selection.readyMs);
    var text = selection.label + ': running ' + fmtMs(runningMs) + ' ms, waiting ' +
      fmtMs(selection.waitMs) + ' ms, ready ' + fmtMs(selection.readyMs) + ' ms';
    if (selection.waits.length > 0) {
      text += '; waits at ' + selection.waits.map(function (w) {
        return w.name + (w.where ? ' (' + w.where + ')' : '') + ' ' + fmtMs(w.ms) + ' ms \\u00d7' + w.count;
      }).join(', ');
    }
    out.textContent = text;
  }
  function topWait(t) {
    var w = t.waits[0];
    return w ? w.name + (w.where ? ' (' + w.where + ')' : '') + ' ' + fmtMs(w.ms) : '';
  }

  function selectThread(value) {
    value = String(value);
    state.thread = value === 'all' || value.charAt(0) === 'g' ? value : Number(value);
    select.value = value;
    state.root = build();
    state.zoom = state.root;
    var rows = byId('threads').children;
    for (var i = 0; i < rows.length; i++) {
      rows[i].classList.toggle('selected', rows[i].dataset.thread === value);
    }
    renderSelection();
    render();
  }

  function showTip(node, event) {
    var total = state.root.total;
    tip.textContent = '';
    tip.appendChild(el('div', 'name', nameOf(node)));
    var where = whereOf(node);
    if (where) tip.appendChild(el('div', 'where', where));
    tip.appendChild(el('div', '', 'Total: ' + fmtMs(node.total / 1000) + ' ms (' + pct(node.total, total) + ')'));
    tip.appendChild(el('div', '', 'Self: ' + fmtMs(node.self / 1000) + ' ms (' + pct(node.self, total) + ')'));
    tip.appendChild(el('div', 'hint', node === state.zoom ? 'Zoomed in' : 'Click to zoom'));
    tip.style.display = 'block';
    var x = event.clientX + 14;
    var y = event.clientY + 14;
    if (x + tip.offsetWidth > window.innerWidth - 4) x = Math.max(4, event.clientX - tip.offsetWidth - 14);
    if (y + tip.offsetHeight > window.innerHeight - 4) y = Math.max(4, event.clientY - tip.offsetHeight - 14);
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }
  function hideTip() {
    tip.style.display = 'none';
  }
  function boxAt(event) {
    var box = event.target.closest ? event.target.closest('.frame') : null;
    return box ? drawn[Number(box.dataset.i)] : undefined;
  }

  // Summary, thread selector and thread table.
  var totalSamples = data.threads.reduce(function (sum, t) { return sum + t.samples; }, 0);
  byId('summary').textContent = fmtMs(data.durationMs) + ' ms profiled, ' + totalSamples +
    ' samples' + (data.intervalUs > 0 ? ' every ' + data.intervalUs + ' \\u00b5s' : '') + ', ' +
    data.threads.length + (data.threads.length === 1 ? ' thread' : ' threads');
  var tbody = byId('threads');
  var allRow = el('tr');
  allRow.dataset.thread = 'all';
  ['All threads', '', String(totalSamples), fmtMs(data.threads.reduce(function (sum, t) { return sum + t.cpuMs; }, 0)), fmtMs(data.durationMs), '', '', ''].forEach(function (text) {
    allRow.appendChild(el('td', '', text));
  });
  tbody.appendChild(allRow);
  function addRow(value, kind, t) {
    var row = el('tr');
    row.dataset.thread = value;
    [t.label, kind, String(t.samples), fmtMs(t.cpuMs), fmtMs(t.wallMs), fmtMs(t.waitMs), fmtMs(t.readyMs), topWait(t)].forEach(function (text) {
      row.appendChild(el('td', '', text));
    });
    tbody.appendChild(row);
  }
  data.groups.forEach(function (g, i) {
    select.appendChild(el('option', '', g.label)).value = 'g' + i;
    addRow('g' + i, 'fibers', g);
  });
  data.threads.forEach(function (t) {
    select.appendChild(el('option', '', t.label)).value = String(t.id);
    addRow(String(t.id), t.kind, t);
  });
  var table = tbody.parentNode;
  var wrap = el('div', 'wrap');
  table.parentNode.insertBefore(wrap, table);
  wrap.appendChild(table);

  tbody.addEventListener('click', function (event) {
    var row = event.target.closest('tr');
    if (row) selectThread(row.dataset.thread);
  });
  select.addEventListener('change', function () { selectThread(select.value); });
  hideIdle.addEventListener('change', function () { selectThread(select.value); });
  search.addEventListener('input', function () {
    state.query = search.value.trim().toLowerCase();
    render();
  });
  flame.addEventListener('click', function (event) {
    var node = boxAt(event);
    if (node) zoomTo(node);
  });
  flame.addEventListener('mousemove', function (event) {
    var node = boxAt(event);
    if (node) showTip(node, event);
    else hideTip();
  });
  flame.addEventListener('mouseleave', hideTip);
  document.addEventListener('keydown', function (event) {
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
  var pendingResize = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pendingResize);
    pendingResize = requestAnimationFrame(render);
  });

  // '#thread=<id>' or '#thread=g<group>' in the address selects that thread or name group.
  var wanted = /^#thread=(all|g\\d+|\\d+)$/.exec(location.hash);
  var known = wanted && (wanted[1] === 'all' || (wanted[1].charAt(0) === 'g' ?
    data.groups[Number(wanted[1].slice(1))] : threadsById.get(Number(wanted[1]))));
  selectThread(known ? wanted[1] : 'all');
})();
`;
