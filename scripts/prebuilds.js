'use strict';
// `npm run prebuilds`: the prebuilt binaries the npm package ships, with prebuildify, as
// node-gyp-build loads them: prebuilds/linux-<arch>/fiberscope.abi<ABI>.glibc.node, for each
// platform and Node.js major of package.json's "fiberscope" key. Each is built against the
// headers of the node-linux-<arch> npm package of its major (scripts/node-package.js); arm64 is
// cross-compiled with Debian's g++-aarch64-linux-gnu. The builds run in a scratch copy of the
// sources, so build/Release (the working tree's own build) is left as it was.
//
// Not `npm run prebuild`: npm would run a script of that name before every `npm run build`.
// Env: PREBUILDS_ONLY_ARCH=x64|arm64 and PREBUILDS_ONLY_NODE="22 24" narrow the set.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { nodePackage } = require('./node-package');

const root = path.join(__dirname, '..');
const supported = require('../package.json').fiberscope;
const CROSS = {
  arm64: {
    CC: 'aarch64-linux-gnu-gcc',
    CXX: 'aarch64-linux-gnu-g++',
    LINK: 'aarch64-linux-gnu-g++',
    AR: 'aarch64-linux-gnu-ar',
  },
};

function wanted() {
  const arches = supported.platforms.map((name) => name.split('-')[1]);
  const onlyArch = process.env.PREBUILDS_ONLY_ARCH;
  const onlyNode = process.env.PREBUILDS_ONLY_NODE?.split(/\s+/).filter(Boolean).map(Number);
  const targets = [];
  for (const arch of arches) {
    if (onlyArch && arch !== onlyArch) continue;
    for (const major of supported.node) {
      if (onlyNode && !onlyNode.includes(major)) continue;
      targets.push({ arch, major });
    }
  }
  return targets;
}

function scratchCopy() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fiberscope-prebuilds-'));
  for (const entry of ['binding.gyp', 'package.json', 'native']) {
    fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  }
  return dir;
}

function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error('npm run prebuilds builds on Linux x64 (arm64 cross-compiled)');
  }
  const prebuildify = require.resolve('prebuildify/bin.js');
  const scratch = scratchCopy();
  const made = [];
  try {
    for (const { arch, major } of wanted()) {
      const started = Date.now();
      const nodeDir = nodePackage(arch, major);
      const version = require(path.join(nodeDir, 'package.json')).version;
      console.log(`\n--- prebuilds: linux-${arch}, Node.js ${version} ---`);
      execFileSync(
        process.execPath,
        [
          prebuildify,
          '--target',
          version,
          '--arch',
          arch,
          '--tag-libc',
          '--napi=false',
          '--strip',
          '--strip-bin',
          arch === 'x64' ? 'strip' : 'aarch64-linux-gnu-strip',
          '--out',
          root,
        ],
        {
          cwd: scratch,
          stdio: 'inherit',
          env: { ...process.env, ...CROSS[arch], npm_config_nodedir: nodeDir },
        },
      );
      made.push(
        `linux-${arch} Node.js ${version}: ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`\nprebuilds: ${made.length} binaries in prebuilds/\n  ${made.join('\n  ')}`);
}

main();
