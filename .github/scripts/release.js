// `npm run release -- X.Y.Z [--push]`: checks that X.Y.Z is package.json's version and has a
// CHANGELOG entry, that the work tree is clean and dist/ is what `npm run bundle` builds, then creates
// tag vX.Y.Z and moves the major tag vX. Node and git only, so it runs on every OS.
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const [version = '', push] = process.argv.slice(2)

/** @param {string} message @returns {never} */
function fail(message) {
  console.error(`release: ${message}`)
  process.exit(1)
}
const git = (/** @type {string[]} */ ...args) =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()
const isClean = (/** @type {string[]} */ ...paths) =>
  git('status', '--porcelain', ...(paths.length ? ['--', ...paths] : [])) === ''

if (!/^\d+\.\d+\.\d+$/.test(version)) fail(`give the version as X.Y.Z (got '${version}')`)
const packageVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version
if (version !== packageVersion) fail(`package.json says ${packageVersion}, not ${version}`)
const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8')
if (!changelog.split(/\r?\n/).some((line) => line.startsWith(`## [${version}]`))) {
  fail(`CHANGELOG.md has no '## [${version}]' section`)
}
if (!isClean()) fail('the work tree is not clean')
// The same commands `npm run bundle` runs (clearing old chunks, the action, then the live check),
// without a shell: each is ncc or a node script.
const bundle = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.bundle
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
for (const command of bundle.split(' && ')) {
  const [tool, ...args] = command.split(' ')
  const built = spawnSync(process.execPath, tool === 'ncc' ? [ncc, ...args] : args, {
    cwd: root,
    encoding: 'utf8'
  })
  if (built.status !== 0) fail(`npm run bundle failed:\n${built.stderr}`)
}
if (!isClean('dist')) fail("dist/ is out of date: run 'npm run bundle' and commit it")
if (
  spawnSync('git', ['rev-parse', '-q', '--verify', `refs/tags/v${version}`], { cwd: root })
    .status === 0
) {
  fail(`tag v${version} exists already`)
}

const major = `v${version.split('.')[0]}`
git('tag', '-a', `v${version}`, '-m', `v${version}`)
git('tag', '-fa', major, '-m', `${major} (v${version})`)
console.log(`Tagged v${version} and moved ${major} to ${git('rev-parse', '--short', 'HEAD')}.`)
if (push === '--push') {
  git('push', 'origin', `v${version}`)
  git('push', '--force', 'origin', major)
}
