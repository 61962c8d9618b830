'use strict';
// `node scripts/node-package.js <x64|arm64> <major>`: prints the folder of the node-linux-<arch>
// npm package of that Node.js major (bin/node and include/node, the headers node-gyp builds
// against), fetched into a cache outside the repository when missing: $FIBERSCOPE_CI_CACHE, else
// ~/.cache/fiberscope-ci (where .ci/run keeps them), as node<major>[-arm64]/node_modules/<name>.
// The arm64 package is unpacked with `npm pack`, since npm install refuses its cpu field here.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function cacheDir() {
  if (process.env.FIBERSCOPE_CI_CACHE) return process.env.FIBERSCOPE_CI_CACHE;
  return path.join(
    process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'),
    'fiberscope-ci',
  );
}

/** The package's folder, fetched if needed. */
function nodePackage(arch, major) {
  const name = `node-linux-${arch}`;
  const prefix = path.join(cacheDir(), arch === 'x64' ? `node${major}` : `node${major}-${arch}`);
  const dir = path.join(prefix, 'node_modules', name);
  if (
    fs.existsSync(path.join(dir, 'bin', 'node')) &&
    fs.existsSync(path.join(dir, 'include', 'node', 'common.gypi'))
  ) {
    return dir;
  }
  // Unpacked next to where it goes, so that the last step is a rename on one file system.
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const scratch = fs.mkdtempSync(path.join(prefix, '.fetch-'));
  try {
    const tarball = execFileSync(
      'npm',
      ['pack', `${name}@${major}`, '--pack-destination', scratch, '--silent'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    )
      .trim()
      .split('\n')
      .at(-1);
    execFileSync('tar', ['-xzf', path.join(scratch, tarball), '-C', scratch]);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(path.join(scratch, 'package'), dir);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return dir;
}

module.exports = { nodePackage };

if (require.main === module) {
  const [arch, major] = process.argv.slice(2);
  if (!['x64', 'arm64'].includes(arch) || !/^\d+$/.test(major ?? '')) {
    console.error('usage: node scripts/node-package.js <x64|arm64> <major>');
    process.exit(2);
  }
  console.log(nodePackage(arch, major));
}
