'use strict';
// The tables, from the rows the scenarios declare (see bench/lib/scenarios.js):
//  - the side-by-side table: a row's figure in each runtime's column, async/await next to it,
//    user mode / node-fibers, and the target checked on that ratio;
//  - a scenario's own table (one with `table`): a row's text in each of its columns, the target
//    checked on user mode.
// Each row comes out as { label, summary, cells: { <runtime>, async<Runtime> }, ratio, target,
// verdict }, cells printed.

const { verdict } = require('./format');

const FAILED = Symbol('failed');
const MISSING = Symbol('missing');

// read(scenario, key, variant = 'main'): one runtime's figure, or it throws FAILED (that run
// failed) or MISSING (not run, or no such figure).
function reader(results, runtime) {
  return (scenario, key, variant = 'main') => {
    const result = results[variant]?.[runtime]?.[scenario];
    if (result === undefined) throw MISSING;
    if (!result.ok) throw FAILED;
    if (result[key] === undefined) throw MISSING;
    return result[key];
  };
}

// { value }, { failed: true } or {} (not measured).
function evaluate(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    if (e === FAILED) return { failed: true };
    if (e === MISSING) return {};
    throw e;
  }
}

function targetOf(spec, ratio, userFailed) {
  if (!spec.target) return { target: 'info', verdict: userFailed ? 'FAILED' : '' };
  const { max, min, text } = spec.target;
  const met = max !== undefined ? (r) => r <= max : (r) => r >= min;
  return {
    target: text || (max !== undefined ? `≤ ${max.toFixed(2)}x node-fibers` : `≥ ${min}x`),
    verdict: userFailed ? 'FAILED' : verdict(ratio === undefined ? undefined : met(ratio)),
  };
}

// A row of the side-by-side table. Its functions get at(key, variant = 'main'), which reads the
// scenario's own figures, and ctx: { cpuParts, read(scenario, key, variant) } for figures of
// other scenarios.
function compareRow(scenario, spec, results, cpuParts) {
  const figure = (fn, runtime) => {
    const read = reader(results, runtime);
    const at = (key, variant) => read(scenario.name, key, variant);
    return evaluate(() => fn(at, { cpuParts, read }));
  };
  const show = (x) => (x.failed ? 'FAILED' : x.value === undefined ? '—' : spec.show(x.value));
  const asyncCell = (runtime) => (spec.async ? show(figure(spec.async, runtime)) : '—');
  const user = figure(spec.fiber, 'user');
  const nodeFibers = figure(spec.fiber, 'nodeFibers');
  const ratio =
    typeof user.value === 'number' && typeof nodeFibers.value === 'number' && nodeFibers.value !== 0
      ? user.value / nodeFibers.value
      : undefined;
  return Object.assign(
    {
      label: spec.label,
      summary: spec.summary,
      cells: {
        user: show(user),
        kernel: show(figure(spec.fiber, 'kernel')),
        nodeFibers: show(nodeFibers),
        asyncUser: asyncCell('user'),
        asyncNodeFibers: asyncCell('nodeFibers'),
      },
      ratio: ratio === undefined ? '—' : `${ratio.toFixed(2)}x`,
    },
    targetOf(spec, ratio, user.failed),
  );
}

// The side-by-side table's rows, in the scenarios' order; rows that nothing measured (BENCH_ONLY)
// are left out.
function compareRows(scenarios, results, cpuParts) {
  const rows = [];
  for (const scenario of scenarios) {
    if (scenario.table) continue;
    for (const spec of scenario.rows) rows.push(compareRow(scenario, spec, results, cpuParts));
  }
  return rows.filter((row) => Object.values(row.cells).some((c) => c !== '—'));
}

// A scenario's own table: { title, header, rows }, or undefined when it did not run.
function ownTable(scenario, results, raw) {
  const columns = Object.keys(scenario.table.columns);
  const byRuntime = {};
  for (const key of columns) byRuntime[key] = results.main?.[key]?.[scenario.name];
  if (Object.values(byRuntime).every((r) => r === undefined)) return undefined;
  const some = Object.values(byRuntime).find((r) => r?.ok) || {};
  const rows = scenario.rows.map((spec) => {
    const cells = {};
    for (const key of columns) {
      const r = byRuntime[key];
      cells[key] = r === undefined ? '—' : r.ok ? spec.show(r) : 'FAILED';
    }
    const user = byRuntime.user;
    let outcome = '';
    if (spec.ok) outcome = !user ? 'n/a' : user.ok ? verdict(spec.ok(user)) : 'FAILED';
    return {
      label: spec.label,
      summary: spec.summary,
      cells,
      ratio: '—',
      target: spec.target || 'info',
      verdict: outcome,
    };
  });
  const header = [scenario.table.title(some, raw)]
    .concat(columns.map((key) => scenario.table.columns[key]))
    .concat([columns.length > 1 ? 'target (user mode)' : 'target', 'verdict']);
  return {
    scenario,
    header,
    rows: rows.map((row) =>
      [row.label].concat(
        columns.map((k) => row.cells[k]),
        row.target,
        row.verdict,
      ),
    ),
    numeric: columns.length,
    rowObjects: rows,
  };
}

// A Markdown table, padded to line up in a terminal; `numeric`: how many columns after the
// first are right-aligned.
function renderTable(header, rows, numeric) {
  const width = (s) => Array.from(String(s)).length;
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
  const right = (i) => i > 0 && i <= numeric;
  const pad = (s, w, alignRight) => {
    const fill = ' '.repeat(w - width(s));
    return alignRight ? fill + s : s + fill;
  };
  const line = (cells) => `| ${cells.map((c, i) => pad(c, widths[i], right(i))).join(' | ')} |`;
  const out = [
    line(header),
    `|${widths.map((w, i) => (right(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
  ];
  for (const r of rows) out.push(line(r));
  return out.join('\n');
}

module.exports = { compareRows, ownTable, renderTable };
