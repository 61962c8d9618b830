// Loads the native addon (a build of this machine, else a binary of prebuilds/, as node-gyp-build
// picks them), or throws the one error that says where this is, what is supported and what works
// without it.
import nodeGypBuild from 'node-gyp-build';

/** Where prebuilt binaries exist: package.json's "fiberscope" key, which `npm run prebuilds`
 *  (scripts/prebuilds.js) builds from. */
export interface Supported {
  /** `<platform>-<arch>`, as node-gyp-build names the folders of prebuilds/. */
  platforms: string[];
  libc: string;
  /** Node.js major versions. */
  node: number[];
}

/** What the error names of the machine; its own function so that tests can describe others. */
export interface Here {
  platform: string;
  arch: string;
  /** 'glibc 2.36', 'musl', or '' off Linux. */
  libc: string;
  nodeVersion: string;
  abi: string;
}

export const UNAVAILABLE_CODE = 'ERR_FIBER_RUNTIME_UNAVAILABLE';

const OS_NAMES: Record<string, string> = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' };

export function describeHere(): Here {
  let libc = '';
  if (process.platform === 'linux') {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } })
      ?.header;
    libc = header?.glibcVersionRuntime ? `glibc ${header.glibcVersionRuntime}` : 'musl';
  }
  return {
    platform: process.platform,
    arch: process.arch,
    libc,
    nodeVersion: process.version,
    abi: process.versions.modules,
  };
}

function list(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** The message of the error that loading the addon throws when it cannot load. */
export function unavailableMessage(here: Here, supported: Supported, cause: string): string {
  const os = OS_NAMES[here.platform] ?? here.platform;
  const where = `${os} ${here.arch}${here.libc ? ` (${here.libc})` : ''}, Node.js ${here.nodeVersion} (ABI ${here.abi})`;
  const arches = supported.platforms.map((name) => name.split('-')[1]);
  const major = Number(here.nodeVersion.replace(/^v/, '').split('.')[0]);
  const why =
    here.platform !== 'linux'
      ? `fibers need Linux (the addon switches threads with Linux system calls)`
      : !supported.node.includes(major)
        ? `Node.js ${major} is not supported`
        : `no binary of the addon loads here (none fits, or none was built at install)`;
  return [
    `fiberscope: the fiber runtime is not available on ${where}: ${why}.`,
    `Supported: Linux ${list(arches)} with ${supported.libc}, Node.js ${list(supported.node.map(String))}` +
      ` (prebuilt binaries ship for each). Elsewhere on Linux it builds from source with a C++20` +
      ` compiler, make and Python 3: \`npm rebuild fiberscope --build-from-source\`.`,
    `Working without it: the \`fiberscope stitch\`, \`flame\`, \`profile --attach\` and` +
      ` \`repl --attach\` commands, fiberscope/stitch, fiberscope/pino, and the profile importers` +
      ` and exporters of fiberscope/profiler.`,
    `The loader said: ${cause
      .trim()
      .split('\n')
      .map((line) => line.trim())
      .join(' ')}`,
  ].join('\n');
}

/** The addon of the package at `root`; throws the error above when none loads. */
export function loadAddon<T>(root: string): T {
  try {
    return nodeGypBuild(root) as T;
  } catch (error) {
    const supported = require('../../package.json').fiberscope as Supported;
    const cause = error instanceof Error ? error.message : String(error);
    const unavailable = new Error(unavailableMessage(describeHere(), supported, cause), {
      cause: error,
    });
    Object.defineProperty(unavailable, 'code', { value: UNAVAILABLE_CODE });
    throw unavailable;
  }
}
