// The release path: it must refuse a wrong version, a dirty tree and a stale dist/, and otherwise
// create vX.Y.Z and move vX. Run on a throw-away clone of the committed project. Needs git, which a
// release needs too; without it the suite is skipped and says why.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import {
  appendFileSync,
  cpSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../tools/run-action.js'

const hasGit = spawnSync('git', ['--version']).status === 0
if (!hasGit) console.warn('The release tests are skipped: git is not installed on this machine.')

const identity = {
  GIT_AUTHOR_NAME: 'Release Test',
  GIT_AUTHOR_EMAIL: 'release-test@example.com',
  GIT_COMMITTER_NAME: 'Release Test',
  GIT_COMMITTER_EMAIL: 'release-test@example.com'
}

const describeWithGit = hasGit ? describe : describe.skip

describeWithGit('.github/scripts/release.js', () => {
  let clone: string
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: clone,
      encoding: 'utf8',
      env: { ...process.env, ...identity }
    }).trim()
  const release = (version: string) =>
    spawnSync(process.execPath, ['.github/scripts/release.js', version], {
      cwd: clone,
      encoding: 'utf8',
      env: { ...process.env, ...identity }
    })
  const version = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'))
    .version as string

  beforeAll(() => {
    clone = join(mkdtempSync(join(tmpdir(), 'refresh-segment-release-')), 'project')
    execFileSync('git', ['clone', '--quiet', projectRoot, clone])
    // The clone holds the committed project: lay the working copy's sources and dist over it, so the
    // test checks the release path against what is being tested now.
    for (const path of [
      'src',
      'dist',
      'tools/clean-dist.js',
      'tsconfig.json',
      'package.json',
      'CHANGELOG.md',
      '.github/scripts/release.js'
    ]) {
      cpSync(join(projectRoot, path), join(clone, path), { recursive: true })
    }
    // Real files, not a symlink: through a symlink the bundle records other module paths and differs.
    linkTree(join(projectRoot, 'node_modules'), join(clone, 'node_modules'))
    git('add', '-A')
    if (git('status', '--porcelain')) git('commit', '--quiet', '-m', 'working copy')
  }, 120_000)
  afterAll(() => rmSync(join(clone, '..'), { recursive: true, force: true }))

  it('refuses a version other than package.json says', () => {
    const result = release('99.0.0')
    expect(result.status).toBe(1)
    expect(result.stderr).toContain(`package.json says ${version}, not 99.0.0`)
  })

  it('refuses a dirty work tree', () => {
    appendFileSync(join(clone, 'README.md'), '\nuncommitted\n')
    const result = release(version)
    git('checkout', '--quiet', 'README.md')
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('the work tree is not clean')
  })

  it('refuses a dist/ that is not what the sources build', () => {
    appendFileSync(
      join(clone, 'src', 'index.ts'),
      '\n// a change nobody bundled\nconsole.log("stale")\n'
    )
    git('commit', '--quiet', '-am', 'change src without bundling')
    const result = release(version)
    git('reset', '--quiet', '--hard', 'HEAD~1')
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('dist/ is out of date')
  }, 60_000)

  it('tags vX.Y.Z and moves vX, once', () => {
    git('tag', 'v1', 'HEAD~1')
    const result = release(version)
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    const major = `v${version.split('.')[0]}`
    expect(git('rev-parse', `v${version}^{commit}`)).toBe(git('rev-parse', 'HEAD'))
    expect(git('rev-parse', `${major}^{commit}`)).toBe(git('rev-parse', 'HEAD'))
    const again = release(version)
    expect(again.status).toBe(1)
    expect(again.stderr).toContain(`tag v${version} exists already`)
  }, 60_000)
})

/** Hard-links every file of a tree (instant, and node_modules is large); copies where links fail. */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true })
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const [source, target] = [join(from, entry.name), join(to, entry.name)]
    if (entry.isDirectory()) linkTree(source, target)
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target)
    else {
      try {
        linkSync(source, target)
      } catch {
        cpSync(source, target)
      }
    }
  }
}
