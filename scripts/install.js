'use strict';
// The package's install script. Installed as a dependency: a binary that loads (one of
// prebuilds/, made by `npm run prebuilds`, or an earlier build) is used as it is; otherwise the
// addon is built with node-gyp, and when that fails too the install still succeeds, with a
// warning: what needs no fibers works without the addon, and requiring the fiber runtime says
// why it is missing (src/fiber/load-addon.ts). In a clone of the repository (not inside
// node_modules) only build/Release counts, prebuilds/ is ignored; there, and with
// --build-from-source, a failed build fails the install, as a developer needs.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const isDependency = path.basename(path.dirname(root)) === 'node_modules';
const fromSource = process.env.npm_config_build_from_source === 'true';

/** Whether a binary loads here: the one node-gyp-build picks, or in a clone the build's (in a
 *  child: a binary of the wrong kind must not take this process down). */
function loads() {
  const load = isDependency
    ? `require(${JSON.stringify(require.resolve('node-gyp-build'))})(process.argv[1])`
    : `require(require('node:path').join(process.argv[1], 'build/Release/fiberscope.node'))`;
  return spawnSync(process.execPath, ['-e', load, root], { stdio: 'ignore' }).status === 0;
}

/** node-gyp: npm's own (npm_config_node_gyp), else a local one, else the one on PATH. */
function nodeGypCommand() {
  const script = process.env.npm_config_node_gyp || tryResolve('node-gyp/bin/node-gyp.js');
  return script ? [process.execPath, script] : ['node-gyp'];
}

function tryResolve(id) {
  try {
    return require.resolve(id);
  } catch {
    return undefined;
  }
}

function build() {
  const [command, ...args] = nodeGypCommand();
  const result = spawnSync(command, [...args, 'rebuild'], { cwd: root, stdio: 'inherit' });
  return result.status === 0;
}

if (fromSource || !loads()) {
  if (!build()) {
    if (!isDependency || fromSource) process.exit(1);
    const here = `${process.platform}-${process.arch}, Node.js ${process.version} (ABI ${process.versions.modules})`;
    const { platforms, libc, node } = require('../package.json').fiberscope;
    console.warn(
      [
        `fiberscope: no native addon for ${here}: no prebuilt binary loads and building one failed`,
        '(see above). fiberscope is installed without its fiber runtime: requiring it throws an',
        'error that says what is supported; `fiberscope stitch`, `flame`, `profile --attach`,',
        '`repl --attach`, fiberscope/stitch, fiberscope/pino and the profile importers and exporters',
        `work. Prebuilt: ${platforms.join(', ')} with ${libc}, Node.js ${node.join(', ')}.`,
      ].join('\n'),
    );
  }
}
