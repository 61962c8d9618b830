#!/usr/bin/env node
// Checks (default) or fixes (--fix) the formatting of the C/C++ sources in native/ and bench/ (not
// its .cache) with the clang-format binary shipped by the `clang-format` npm package and the
// repo's .clang-format.
//
//   node scripts/clang-format-check.js          # exit 1 and list the files that need formatting
//   node scripts/clang-format-check.js --fix    # rewrite those files in place
//   node scripts/clang-format-check.js --verbose  # also print clang-format's diagnostics
//
// The binary can be overridden with CLANG_FORMAT=/path/to/clang-format.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const NATIVE_DIR = path.join(ROOT, 'native');
const BENCH_DIR = path.join(ROOT, 'bench');
const EXTENSIONS = new Set(['.cc', '.c', '.h']);

function usage(code) {
  console.log('usage: node scripts/clang-format-check.js [--fix] [--verbose]');
  process.exit(code);
}

const args = process.argv.slice(2);
let fix = false;
let verbose = false;
for (const arg of args) {
  if (arg === '--fix') fix = true;
  else if (arg === '--verbose' || arg === '-v') verbose = true;
  else if (arg === '--help' || arg === '-h') usage(0);
  else {
    console.error(`clang-format-check: unknown argument ${arg}`);
    usage(2);
  }
}

function findBinary() {
  if (process.env.CLANG_FORMAT) return process.env.CLANG_FORMAT;
  let pkgDir;
  try {
    pkgDir = path.dirname(require.resolve('clang-format/package.json', { paths: [ROOT] }));
  } catch {
    console.error(
      'clang-format-check: the clang-format npm package is not installed (npm install)',
    );
    process.exit(2);
  }
  const bin =
    os.platform() === 'win32'
      ? path.join(pkgDir, 'bin', 'win32', 'clang-format.exe')
      : path.join(pkgDir, 'bin', `${os.platform()}_${os.arch()}`, 'clang-format');
  if (!fs.existsSync(bin)) {
    console.error(`clang-format-check: no clang-format binary for ${os.platform()}_${os.arch()}`);
    console.error(`  looked for ${bin}; set CLANG_FORMAT=/path/to/clang-format`);
    process.exit(2);
  }
  return bin;
}

// The C/C++ files below `dir`, but not in a .cache or node_modules folder.
function listSources(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '.cache' && entry.name !== 'node_modules') out.push(...listSources(full));
    } else if (entry.isFile() && EXTENSIONS.has(path.extname(entry.name))) out.push(full);
  }
  return out.sort();
}

function run(bin, argv) {
  const res = spawnSync(bin, argv, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.error) {
    console.error(`clang-format-check: failed to run ${bin}: ${res.error.message}`);
    process.exit(2);
  }
  return res;
}

const bin = findBinary();
if (!fs.existsSync(NATIVE_DIR)) {
  console.log('clang-format-check: no native/ directory, nothing to do');
  process.exit(0);
}
const benchSources = fs.existsSync(BENCH_DIR) ? listSources(BENCH_DIR) : [];
const files = [...listSources(NATIVE_DIR), ...benchSources];
if (files.length === 0) {
  console.log('clang-format-check: no C or C++ files in native/ or bench/');
  process.exit(0);
}
const rel = (f) => path.relative(ROOT, f);

if (fix) {
  const before = new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8')]));
  const res = run(bin, ['-i', '--style=file', ...files]);
  if (res.status !== 0) {
    process.stderr.write(res.stderr);
    console.error(`clang-format-check: clang-format -i exited with ${res.status}`);
    process.exit(2);
  }
  const changed = files.filter((f) => fs.readFileSync(f, 'utf8') !== before.get(f));
  for (const f of changed) console.log(`formatted ${rel(f)}`);
  console.log(
    `clang-format-check: ${changed.length} of ${files.length} file(s) in native/ and bench/ reformatted`,
  );
  process.exit(0);
}

const offending = [];
for (const f of files) {
  const res = run(bin, ['--dry-run', '--Werror', '--style=file', f]);
  if (res.status !== 0) {
    const diagnostics = (res.stderr || '').split('\n').filter((l) => /: error: /.test(l));
    if (diagnostics.length === 0 && res.stderr) {
      // Not a formatting diff (bad .clang-format, unreadable file, ...): fail loudly.
      process.stderr.write(res.stderr);
      console.error(`clang-format-check: clang-format failed on ${rel(f)} (exit ${res.status})`);
      process.exit(2);
    }
    offending.push({ file: f, count: diagnostics.length, stderr: res.stderr });
  }
}

if (offending.length > 0) {
  console.error('clang-format-check: these files are not clang-formatted:');
  for (const o of offending) {
    console.error(`  ${rel(o.file)} (${o.count} place(s))`);
    if (verbose) process.stderr.write(o.stderr);
  }
  console.error('run `node scripts/clang-format-check.js --fix` to reformat them');
  process.exit(1);
}
console.log(`clang-format-check: ${files.length} file(s) in native/ and bench/ are formatted`);
