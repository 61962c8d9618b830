#!/usr/bin/env bash
# The npm package as users install it: `bash scripts/check-package.sh` (run by .ci/run, after
# `npm run prebuilds`). Packs the repository, then in empty folders, with a PATH on which no
# compiler, make nor Python can be found:
#   1. for each Node.js major of package.json's "fiberscope" key: installs the tarball, asserts
#      that nothing was compiled (no build/ folder appears: the prebuilt binary is used), and
#      runs fibers (run/yield round trips, a wait on a timer) in user and kernel mode;
#   2. the same tarball with its prebuilds/ removed, as on a platform none of them fits: the
#      install succeeds (the build it falls back to fails, with a warning), `fiberscope stitch`,
#      `flame` and the profile exporters work, and require('fiberscope') throws the clear error;
#   3. that tarball again with the machine's PATH: the install falls back to node-gyp, which
#      builds the addon, and fibers run.
# Env: CHECK_PACKAGE_NODES="22 24" narrows step 1; FIBERSCOPE_CI_CACHE as for node-package.js.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO_DIR="$(pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fiberscope-package.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
NODES="${CHECK_PACKAGE_NODES:-$(node -p "require('./package.json').fiberscope.node.join(' ')")}"

fail() {
  echo "check-package: $*" >&2
  exit 1
}

echo "--- npm pack ---"
TARBALL="$WORK/$(npm pack --pack-destination "$WORK" --silent | tail -1)"
listing="$(tar -tzf "$TARBALL")"
for major in $NODES; do
  abi="$(node -p "require('node-abi').getAbi('$major.0.0', 'node')")"
  for arch in x64 arm64; do
    grep -qx "package/prebuilds/linux-$arch/fiberscope.abi$abi.glibc.node" <<<"$listing" ||
      fail "the tarball has no prebuilds/linux-$arch/fiberscope.abi$abi.glibc.node (npm run prebuilds first)"
  done
done
grep -qx 'package/scripts/install.js' <<<"$listing" || fail "the tarball has no scripts/install.js"
if grep -q '^package/build/' <<<"$listing"; then fail "the tarball ships build/"; fi
echo "$TARBALL: $(wc -l <<<"$listing") files, $(du -k "$TARBALL" | cut -f1) KB"

# A PATH of symlinks to every command of the machine's PATH but compilers, make and Python (and
# node, npm and npx, which each check puts first on it).
HIDDEN='^(cc|c\+\+|gcc|g\+\+|cpp|clang|clang\+\+|make|gmake|cmake|python|python3|node|npm|npx)$|^(c\+\+|cpp|g\+\+|gcc|cc|clang|python)[-.0-9]|-(gcc|g\+\+|c\+\+|cpp|cc)(-[0-9.]+)?$'
BARE="$WORK/bare-bin"
mkdir -p "$BARE"
IFS=: read -ra path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
  [[ -d "$dir" ]] || continue
  for command in "$dir"/*; do
    name="${command##*/}"
    [[ -x "$command" && ! -d "$command" && ! -e "$BARE/$name" ]] || continue
    [[ "$name" =~ $HIDDEN ]] && continue
    ln -s "$command" "$BARE/$name"
  done
done
NPM_CLI="$(readlink -f "$(command -v npm)")"

# Runs "$@" with node $1 (a bin/node) first on a PATH without compilers; npm is the machine's.
with_node() {
  local node_bin="$1"
  shift
  local bin
  bin="$WORK/node-bin-$(printf %s "$node_bin" | md5sum | cut -c1-8)"
  mkdir -p "$bin"
  ln -sf "$node_bin" "$bin/node"
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$node_bin" "$NPM_CLI" >"$bin/npm"
  chmod +x "$bin/npm"
  PATH="$bin:$BARE" "$@"
}

FIBER_PROGRAM='
const { Fiber, spawn, wait } = require("fiberscope");
const fiber = new Fiber(() => { for (let i = 0; ; i++) Fiber.yield(i); });
let last = 0;
for (let i = 0; i < 10000; i++) last = fiber.run();
spawn(() => { wait(new Promise((r) => setTimeout(r, 5))); return last; }).then((value) => {
  console.log(`fibers ok: ${process.arch}, Node.js ${process.version} (ABI ${process.versions.modules}), ${Fiber.switchMode} mode, ${value + 1} round trips`);
});'

install_into() {
  local dir="$1" tarball="$2" node_bin="$3"
  mkdir -p "$dir"
  echo '{ "name": "check", "private": true }' >"$dir/package.json"
  (cd "$dir" && with_node "$node_bin" npm install --prefer-offline --foreground-scripts --loglevel=error "$tarball")
}

for major in $NODES; do
  node_bin="$(node scripts/node-package.js x64 "$major")/bin/node"
  echo
  echo "--- Node.js $major: install with no compiler on PATH ---"
  started=$SECONDS
  dir="$WORK/node$major"
  install_into "$dir" "$TARBALL" "$node_bin" 2>&1 | tee "$WORK/install$major.log"
  [[ ! -e "$dir/node_modules/fiberscope/build" ]] || fail "Node.js $major: the install compiled (node_modules/fiberscope/build exists)"
  if grep -q 'fiberscope: no native addon' "$WORK/install$major.log"; then fail "Node.js $major: the install warned"; fi
  (cd "$dir" && with_node "$node_bin" node -e "$FIBER_PROGRAM")
  (cd "$dir" && FIBERSCOPE_SWITCH=kernel with_node "$node_bin" node -e "$FIBER_PROGRAM")
  echo "Node.js $major: installed and ran in $((SECONDS - started)) s, nothing compiled"
done

echo
echo "--- the same package without prebuilds/ (no binary fits), Node.js $(node --version) ---"
mkdir -p "$WORK/unpacked"
tar -xzf "$TARBALL" -C "$WORK/unpacked"
rm -rf "$WORK/unpacked/package/prebuilds"
BARE_TARBALL="$WORK/fiberscope-no-prebuilds.tgz"
tar -czf "$BARE_TARBALL" -C "$WORK/unpacked" package
dir="$WORK/no-binary"
install_into "$dir" "$BARE_TARBALL" "$(readlink -f "$(command -v node)")" >"$WORK/install-bare.log" 2>&1 ||
  { cat "$WORK/install-bare.log"; fail "the install without a binary failed"; }
grep -q 'fiberscope: no native addon' "$WORK/install-bare.log" ||
  { cat "$WORK/install-bare.log"; fail "the install without a binary printed no warning"; }
echo "installed, with the warning: $(grep -A1 'fiberscope: no native addon' "$WORK/install-bare.log" | head -1)"
cd "$dir"
fiberscope=node_modules/.bin/fiberscope
printf '%s\n' '{"level":50,"msg":"failed","err":{"type":"Error","message":"boom","stack":"Error: boom\n    at handler (/app/a.js:1:2)"}}' >app.log
with_node "$(command -v node)" "$fiberscope" stitch --no-color app.log | grep -q '    at handler (/app/a.js:1:2)' ||
  fail "fiberscope stitch printed no trace"
with_node "$(command -v node)" node -e '
const { Session } = require("node:inspector");
const session = new Session();
session.connect();
session.post("Profiler.enable", () => session.post("Profiler.start", () => {
  const end = Date.now() + 20; while (Date.now() < end);
  session.post("Profiler.stop", (error, { profile }) => {
    require("node:fs").writeFileSync("in.cpuprofile", JSON.stringify(profile));
  });
}));'
with_node "$(command -v node)" "$fiberscope" flame in.cpuprofile -o out.html
grep -q '<!DOCTYPE html>' out.html || fail "fiberscope flame wrote no page"
with_node "$(command -v node)" node -e '
const profiler = require("fiberscope/profiler");
const profile = new profiler.FiberProfile(profiler.fromCpuProfile(require("node:fs").readFileSync("in.cpuprofile", "utf8")));
for (const out of [profile.toSpeedscope(), profile.toFolded(), profile.toPprof(), profile.toHtml()]) {
  if (!out || out.length === 0) throw new Error("an exporter returned nothing");
}
require("fiberscope/stitch").stitch(new Error("plain"));
try {
  require("fiberscope");
  throw new Error("require(\"fiberscope\") loaded without a binary");
} catch (error) {
  if (error.code !== "ERR_FIBER_RUNTIME_UNAVAILABLE") throw error;
  console.log(error.message.split("\n")[0]);
}'
echo "without a binary: fiberscope stitch, flame, the exporters and fiberscope/stitch work"

echo
echo "--- the package without prebuilds/, with a compiler: node-gyp builds the addon ---"
started=$SECONDS
dir="$WORK/built"
mkdir -p "$dir"
echo '{ "name": "check", "private": true }' >"$dir/package.json"
cd "$dir"
npm install --prefer-offline --loglevel=error "$BARE_TARBALL" >"$WORK/install-built.log" 2>&1 ||
  { cat "$WORK/install-built.log"; fail "the install that builds failed"; }
[[ -f node_modules/fiberscope/build/Release/fiberscope.node ]] ||
  { cat "$WORK/install-built.log"; fail "the install built no node_modules/fiberscope/build/Release/fiberscope.node"; }
node -e "$FIBER_PROGRAM"
echo "built at install and ran in $((SECONDS - started)) s"
echo
echo "check-package: ok"
