'use strict';
// How figures are printed in the tables: each returns '—' for a figure that is not there.

const missing = (x) => x === undefined || x === null || Number.isNaN(x);

function fmt(x, digits, unit) {
  if (missing(x)) return '—';
  const s = typeof x === 'number' ? x.toFixed(digits) : String(x);
  return unit ? `${s} ${unit}` : s;
}

// Rounded, with thousands separators.
function fmtInt(x, unit) {
  if (missing(x)) return '—';
  return String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (unit ? ` ${unit}` : '');
}

const us = (digits) => (v) => fmt(v, digits, 'µs');
const ms = (v) => fmtInt(v, 'ms');
const ns = (v) => fmtInt(v, 'ns');
const kb = (v) => fmt(v, 2, 'KB');
const seconds = (v) => fmt(v, 1, 's');
const times = (v) => fmt(v, 2, 'x');
const percent = (v) => fmt(v * 100, 0, '%');
const perSecond = (v) => fmtInt(v, '/s');
const reqPerSec = (v) => fmtInt(v, 'req/s');
// [min, max] in thousands, and as percentages.
const kRange = (v) =>
  missing(v) ? '—' : `${(v[0] / 1000).toFixed(1)}–${(v[1] / 1000).toFixed(1)}k`;
const percentRange = (v) =>
  missing(v) ? '—' : `${(v[0] * 100).toFixed(0)}–${(v[1] * 100).toFixed(0)}%`;

function verdict(ok) {
  if (ok === undefined || ok === null) return 'n/a';
  return ok ? 'meets' : 'misses';
}

module.exports = {
  fmt,
  fmtInt,
  kb,
  kRange,
  ms,
  ns,
  percent,
  percentRange,
  perSecond,
  reqPerSec,
  seconds,
  times,
  us,
  verdict,
};
