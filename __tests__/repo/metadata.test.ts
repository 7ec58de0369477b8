// action.yml, the code, the README and the workflows must not drift apart.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import semver from 'semver'
import { parse } from 'yaml'
import { inputDefaults } from '../../src/inputs/settings.js'
import { projectRoot, readActionYml, runAction } from '../../tools/run-action.js'
import { machineNodePath } from '../../tools/runtimes.js'
import { listScenarios } from '../../tools/simulator/scenario.js'
import { clockForChild } from '../../tools/test-clock/clock.js'
import { countToday, wallClock } from '../support/wall-clock.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'

const action = readActionYml()
const sourceFiles = readdirSync(join(projectRoot, 'src'), { recursive: true })
  .map((f) => String(f).replace(/\\/g, '/'))
  .filter((f) => f.endsWith('.ts'))
const source = sourceFiles.map((f) => readFileSync(join(projectRoot, 'src', f), 'utf8')).join('\n')

/** Inputs read with core.getInput('...') plus those read through the defaults table. */
function inputsReadByCode(): Set<string> {
  const direct = [...source.matchAll(/core\.getInput\('([^']+)'\)/g)].map((m) => m[1])
  return new Set([...direct, ...Object.keys(inputDefaults)])
}

describe('action.yml', () => {
  it('runs the bundle on Node 24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  it('declares, with a description, every input the code reads', () => {
    for (const name of inputsReadByCode()) {
      expect({ name, description: action.inputs[name]?.description?.trim() }).toEqual({
        name,
        description: expect.any(String)
      })
      expect(action.inputs[name].description!.length).toBeGreaterThan(15)
    }
  })

  it('declares only inputs the code reads', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...inputsReadByCode()].sort())
  })

  it("gives every optional input the code's default", () => {
    for (const [name, spec] of Object.entries(action.inputs)) {
      if (spec.required) {
        expect({ name, default: spec.default }).toEqual({ name, default: undefined })
      } else {
        const codeDefault = (inputDefaults as Record<string, string>)[name] ?? ''
        expect({ name, default: String(spec.default) }).toEqual({ name, default: codeDefault })
      }
    }
  })

  it('describes every output, and the code sets exactly those', () => {
    const setByCode = [...source.matchAll(/core\.setOutput\('([^']+)'/g)].map((m) => m[1]).sort()
    expect(Object.keys(action.outputs).sort()).toEqual(setByCode)
    for (const spec of Object.values(action.outputs))
      expect(spec.description?.length).toBeGreaterThan(15)
  })

  describe('a real run', () => {
    let simulator: Awaited<ReturnType<typeof startSimulator>>
    beforeAll(async () => {
      simulator = await startSimulator({
        segments: [{ id: '1588e03b-50aa-454a-97d1-e1530345a5ec' }]
      })
    })
    afterAll(async () => simulator.close())

    it.each([
      ['succeeds', '1588e03b-50aa-454a-97d1-e1530345a5ec'],
      ['fails on bad input', 'not-a-uuid']
    ])('sets every declared output when it %s', async (_case, segmentIds) => {
      const { outputs } = await runAction({
        'api-key': demoApiKey,
        'api-url': simulator.url,
        'segment-ids': segmentIds
      })
      expect(Object.keys(outputs).sort()).toEqual(Object.keys(action.outputs).sort())
    })
  })
})

describe('where the key may go', () => {
  it('is decided in one place: one hosts map and one api-url check, which the live check uses too', () => {
    const files = spawnSync('git', ['ls-files'], { cwd: projectRoot, encoding: 'utf8' })
      .stdout.split('\n')
      .filter((file) => /\.(m?js|ts)$/.test(file) && !/^(dist|__tests__)\//.test(file))
    const holding = (pattern: RegExp) =>
      files.filter((file) => pattern.test(readFileSync(join(projectRoot, file), 'utf8')))
    expect(holding(/api\.eu\.sendgrid\.com/)).toEqual(['src/inputs/api-url.ts'])
    expect(holding(/\[::1\]/)).toEqual(['src/inputs/api-url.ts'])
    expect(holding(/\.username|\.password/)).toEqual(['src/inputs/api-url.ts'])
    expect(readFileSync(join(projectRoot, 'tools/live-check/live-check.ts'), 'utf8')).toContain(
      "from '../../src/inputs/api-url.js'"
    )
  })
})

describe('the tests', () => {
  it('are imported and run by nothing outside __tests__/: tools and scripts live in tools/', () => {
    const files = spawnSync('git', ['ls-files'], { cwd: projectRoot, encoding: 'utf8' })
      .stdout.split('\n')
      .filter((file) => /\.(m?js|ts|json|yml)$/.test(file) && !/^(dist|__tests__)\//.test(file))
    const reaching = files.filter((file) =>
      /(from|import\()\s*'[^']*__tests__|node [^\n]*__tests__\/|"[^"]*node [^"]*__tests__/.test(
        readFileSync(join(projectRoot, file), 'utf8')
      )
    )
    expect(reaching).toEqual([])
  })
})

describe('the type check', () => {
  it('covers every .js, .mjs and .ts file outside dist/ and node_modules/, JavaScript included', () => {
    const check = JSON.parse(readFileSync(join(projectRoot, 'tsconfig.check.json'), 'utf8'))
    const base = JSON.parse(readFileSync(join(projectRoot, 'tsconfig.json'), 'utf8'))
    expect(base.compilerOptions).toMatchObject({ allowJs: true, checkJs: true, strict: true })
    const files = spawnSync('git', ['ls-files'], { cwd: projectRoot, encoding: 'utf8' })
      .stdout.split('\n')
      .filter((file) => /\.(m?js|ts)$/.test(file) && !file.startsWith('dist/'))
    expect(files.length).toBeGreaterThan(100)
    const included = (file: string) =>
      (check.include as string[]).some((pattern) =>
        pattern === '*.js'
          ? !file.includes('/') && file.endsWith('.js')
          : file.startsWith(`${pattern}/`)
      )
    expect(files.filter((file) => !included(file))).toEqual([])
    for (const file of files) {
      expect({
        file,
        nocheck: readFileSync(join(projectRoot, file), 'utf8').includes(
          ['@ts', 'nocheck'].join('-')
        )
      }).toEqual({ file, nocheck: false })
    }
  })
})

describe('npm run test:at', () => {
  it('names in clockFree only suites that exist, and runs each of them at one hard instant at least', async () => {
    const testAt = await import('../../.github/scripts/test-at.js')
    const suites = testAt.allSuites()
    expect(suites).toEqual(expect.arrayContaining(['unit/main', 'e2e/stories', 'repo/metadata']))
    expect(testAt.clockFree.filter((name: string) => !suites.includes(name))).toEqual([])
    const planned = testAt.plan(testAt.hardInstants, suites)
    expect(planned).toHaveLength(testAt.hardInstants.length)
    for (const name of suites) {
      const runs = planned.filter((p: { suites: string[] }) => p.suites.includes(name)).length
      expect({ name, runs }).toEqual({
        name,
        runs: testAt.clockFree.includes(name) ? 1 : testAt.hardInstants.length
      })
    }
  })
})

describe('src/', () => {
  it('has no import loops, type-only imports included', () => {
    const importsOf = (file: string) =>
      [
        ...readFileSync(join(projectRoot, 'src', file), 'utf8').matchAll(
          /^import [^;]*?from '(\.{1,2}\/[\w/.-]+)\.js'/gms
        )
      ].map((m) => posix.join(posix.dirname(file), `${m[1]}.ts`))
    const graph = new Map(sourceFiles.map((file) => [file, importsOf(file)]))
    const loops: string[] = []
    const visit = (file: string, path: string[]) => {
      if (path.includes(file))
        return void loops.push([...path.slice(path.indexOf(file)), file].join(' -> '))
      for (const next of graph.get(file) ?? []) visit(next, [...path, file])
    }
    for (const file of sourceFiles) visit(file, [])
    expect(graph.get('main.ts')!.length).toBeGreaterThan(5)
    expect([...new Set(loops)]).toEqual([])
  })
})

describe('README.md', () => {
  it('has the inputs and outputs tables npm run docs generates from action.yml', () => {
    const check = spawnSync(machineNodePath, ['.github/scripts/docs.js', '--check'], {
      cwd: projectRoot,
      encoding: 'utf8'
    })
    expect(check.stderr + check.stdout).toContain('README.md tables match action.yml.')
    expect(check.status).toBe(0)
  })

  it('gives the two commands a new user needs, and CI runs the same test command', () => {
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8')
    expect(readme).toContain('```sh\nnpm ci && npm run demo\n```')
    expect(readme).toContain('```sh\nnpm ci && npm test\n```')
    expect(readFileSync(join(projectRoot, '.ci', 'run'), 'utf8')).toMatch(/^npm ci && npm test$/m)
  })
  it('gates every later job on ready: each example a job needs uses fail-unless-ready with wait and min-contacts: 1', () => {
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8')
    const shipped = readFileSync(
      join(projectRoot, '.github', 'workflows', 'refresh-segments.yml'),
      'utf8'
    )
    type Workflow = {
      jobs?: Record<string, { needs?: string; steps?: Array<{ uses?: string; with?: object }> }>
    }
    const examples = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1])
    const gated = [...examples, shipped]
      .map((text) => parse(text) as Workflow)
      .filter((workflow) => Object.values(workflow?.jobs ?? {}).some((job) => job.needs))
    expect(gated.length).toBeGreaterThanOrEqual(3)
    for (const workflow of gated) {
      const needed = Object.values(workflow.jobs ?? {}).flatMap((job) => job.needs ?? [])
      for (const name of needed) {
        const step = workflow.jobs?.[name]?.steps?.find((s) =>
          /refresh-segment|^\.\/$/.test(s.uses ?? '')
        )
        expect(step?.with).toMatchObject({
          wait: true,
          'fail-unless-ready': true,
          'min-contacts': 1
        })
      }
    }
  })
})

describe('README.md for users, CONTRIBUTING.md for contributors', () => {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8')
  const contributing = readFileSync(join(projectRoot, 'CONTRIBUTING.md'), 'utf8')
  const contributorsOnly = [
    'npm run mutate',
    'npm run bench',
    'npm run release',
    'npm run bundle',
    'npm run docs:summary',
    'npm run test:at',
    'npm run local-action',
    'StrykerJS',
    '## Releasing',
    '## Development'
  ]

  it('keeps developing, testing and releasing out of the README, in CONTRIBUTING.md, which it links', () => {
    expect(contributorsOnly.filter((text) => readme.includes(text))).toEqual([])
    expect(contributorsOnly.slice(0, 8).filter((text) => !contributing.includes(text))).toEqual([])
    expect(readme).toContain('](CONTRIBUTING.md)')
  })

  it("draws every folder of src/, tools/ and __tests__/ in CONTRIBUTING.md's layout, one line a folder", () => {
    const drawn = contributing.split('```text\n')[1].split('```')[0]
    const folders = ['src', 'tools', '__tests__'].flatMap((top) =>
      readdirSync(join(projectRoot, top), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${top}/${entry.name}/`)
    )
    expect(folders.length).toBeGreaterThan(8)
    const lines = drawn.split('\n').map((line) => line.split(' ')[0])
    expect(folders.filter((folder) => !lines.includes(folder))).toEqual([])
  })

  it('gives every example as a whole workflow a user can paste', () => {
    type Job = {
      'runs-on'?: string
      steps?: Array<{ uses?: string; with?: Record<string, unknown> }>
    }
    const examples = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1])
    expect(examples.length).toBeGreaterThanOrEqual(7)
    for (const text of examples) {
      const workflow = parse(text) as { on?: unknown; jobs?: Record<string, Job> }
      expect({ text, on: workflow.on !== undefined }).toEqual({ text, on: true })
      for (const job of Object.values(workflow.jobs ?? {})) {
        expect(job['runs-on']).toEqual(expect.any(String))
        expect(job.steps?.length).toBeGreaterThan(0)
        for (const step of job.steps ?? []) {
          if (!step.uses?.includes('refresh-segment')) continue
          expect(String(step.with?.['api-key'])).toMatch(
            /^\$\{\{ secrets\.SENDGRID_[A-Z_]*API_KEY \}\}$/
          )
          for (const input of Object.keys(step.with ?? {}))
            expect(Object.keys(action.inputs)).toContain(input)
        }
      }
      expect(Object.keys(workflow.jobs ?? {}).length).toBeGreaterThan(0)
    }
  })

  it('lists every story under Try it locally, with the one command that runs it', () => {
    const tryIt = readme.split('## Try it locally')[1].split('\n## ')[0]
    for (const { name } of listScenarios()) expect(tryIt).toContain(`\`npm run demo -- ${name}\``)
    expect(tryIt).toContain('```sh\nnpm run -s simulator -- --scenario ')
  })

  it('says how old an audience can be at send time next to the scheduled example', () => {
    const scheduled = readme.split('### Before every scheduled campaign')[1].split('\n### ')[0]
    const example = parse(scheduled.split('```yaml\n')[1].split('```')[0]) as {
      jobs: Record<string, { steps: Array<{ with: Record<string, number> }> }>
    }
    const { 'single-sends-within-minutes': ahead, 'fresh-within-minutes': fresh } = Object.values(
      example.jobs
    )[0].steps[0].with
    expect(scheduled).toContain(`up to ${ahead + fresh} minutes with these settings`)
  })
})

describe('the Node versions a contributor needs', () => {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'))
  const lock = JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8'))
  /** The lowest version of each range in engines: 20.19.0, 22.13.0, 24.0.0. */
  const lowest = (pkg.engines.node as string)
    .split('||')
    .map((range) => semver.minVersion(range)!.version)

  it('are accepted by every package npm ci installs, so it prints no engine warning on them', () => {
    expect(lowest).toEqual(['20.19.0', '22.13.0', '24.0.0'])
    const refusing = Object.entries(
      lock.packages as Record<string, { engines?: { node?: string } }>
    )
      .filter(([, info]) => typeof info.engines?.node === 'string')
      .flatMap(([path, info]) =>
        lowest
          .filter((v) => !semver.satisfies(v, info.engines!.node!))
          .map((v) => `${path} wants ${info.engines!.node} (not ${v})`)
      )
    expect(refusing).toEqual([])
  })

  it('are the ones the README and CONTRIBUTING.md state, and the release runs on Node 24', () => {
    const stated = 'Node.js 20.19 or later on 20, 22.13 or later on 22, or 24'
    for (const file of ['README.md', 'CONTRIBUTING.md'])
      expect(readFileSync(join(projectRoot, file), 'utf8').replace(/\s+/g, ' ')).toContain(stated)
    const release = parse(
      readFileSync(join(projectRoot, '.github', 'workflows', 'release.yml'), 'utf8')
    )
    const setup = release.jobs.release.steps.find((s: { uses?: string }) =>
      s.uses?.startsWith('actions/setup-node@')
    )
    expect(setup.with['node-version']).toBe(24)
  })
})

describe('npm run demo', () => {
  it('runs the built action against the simulator and prints the summary as text, not HTML', () => {
    const clock = clockForChild()
    const started = Date.now()
    const demo = spawnSync(machineNodePath, [...clock.execArgv, 'tools/demo.js'], {
      cwd: projectRoot,
      env: { ...process.env, ...clock.env },
      encoding: 'utf8'
    })
    expect(demo.status).toBe(0)
    const summary = demo.stdout.split('--- job summary (GITHUB_STEP_SUMMARY, shown as text) ---')[1]
    expect(summary).toMatch(/^## SendGrid segment refresh$/m)
    expect(summary).toMatch(
      /^2 of 3 audiences are ready to send to: "Spring sale, EU customers" and "Newsletter subscribers"\. "VIP customers" can be refreshed again (tomorrow )?at \d\d:\d\d Europe\/Berlin, in /m
    )
    expect(summary).toMatch(
      /^Spring sale, EU customers +✅ refreshed +1,200 → 1,234 \(\+34\) +1 of 2 /m
    )
    expect(summary).toMatch(
      /^Contacts first: 1 job finished (yesterday )?at \d\d:\d\d Europe\/Berlin, 10 minutes ago; 34 of 40 contacts written, 6 rejected\.$/m
    )
    // Recomputed 8 minutes ago, 2 minutes after the contacts landed: fresh.
    expect(summary).toMatch(
      /^Newsletter subscribers +🟢 fresh +5,210 +0 of 2 +recomputed (yesterday )?at \d\d:\d\d Europe\/Berlin, 8 minutes ago, after the contacts landed$/m
    )
    // A refresh SendGrid accepted 12 minutes ago, before the contacts landed, and has not finished:
    // no refresh can be sent within the hour, and that one is not waited for. Today's count is the
    // Berlin day's: in Berlin's first 12 minutes, that refresh was yesterday.
    const vipRefreshedAt = started - 12 * 60_000
    expect(summary).toMatch(
      new RegExp(
        `^VIP customers +⏳ rate limited +87 +${countToday([vipRefreshedAt], 'Europe/Berlin')} of 2 +a refresh accepted ${wallClock(vipRefreshedAt, 'Europe/Berlin').replace(/\d\d:\d\d/, '\\d\\d:\\d\\d')}, 12 minutes ago, before the contacts landed, is still being recomputed$`,
        'm'
      )
    )
    expect(summary).not.toMatch(/<\/?(table|tr|td|th|p|h2|details|summary|code)\b/)
    expect(summary).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/)
  }, 30_000)
})

describe('workflows', () => {
  const actionlint = join(
    projectRoot,
    'node_modules',
    '@tktco',
    'node-actionlint',
    'bin',
    'node-actionlint.js'
  )
  const lint = (cwd: string) => spawnSync(machineNodePath, [actionlint], { cwd, encoding: 'utf8' })

  it('pass actionlint', () => {
    const files = readdirSync(join(projectRoot, '.github', 'workflows'))
    expect(files.length).toBeGreaterThanOrEqual(4)
    const result = lint(projectRoot)
    expect(result.stdout).toContain(`Checking ${files.length} workflow file(s)`)
    if (result.status !== 0)
      throw new Error(`actionlint found problems:\n${result.stdout}${result.stderr}`)
  })

  it('would be caught by actionlint when broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'refresh-segment-actionlint-'))
    try {
      mkdirSync(join(dir, '.github', 'workflows'), { recursive: true })
      writeFileSync(
        join(dir, '.github', 'workflows', 'broken.yml'),
        'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n'
      )
      const result = lint(dir)
      expect(result.status).toBe(1)
      expect(result.stdout).toContain('nope')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('workflow hygiene', () => {
  type Step = { uses?: string; with?: Record<string, unknown>; run?: string }
  type Job = { permissions?: unknown; steps: Step[]; strategy?: { matrix?: { os?: string[] } } }
  const workflowsDir = join(projectRoot, '.github', 'workflows')
  const workflows = readdirSync(workflowsDir).map((file) => {
    const text = readFileSync(join(workflowsDir, file), 'utf8')
    return { file, text, yaml: parse(text) as { permissions?: unknown; jobs: Record<string, Job> } }
  })

  it('pins every third-party action to a full commit SHA, with its version in a comment', () => {
    const uses = workflows.flatMap(({ file, text }) =>
      [...text.matchAll(/^\s*-?\s*uses:\s*(.+)$/gm)].map((m) => ({ file, uses: m[1].trim() }))
    )
    expect(uses.length).toBeGreaterThan(8)
    const unpinned = uses.filter(
      ({ uses }) =>
        !uses.startsWith('./') && !/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/.test(uses)
    )
    expect(unpinned).toEqual([])
  })

  it('gives no permissions by default and each job only what it names', () => {
    for (const { file, yaml } of workflows) {
      expect({ file, permissions: yaml.permissions }).toEqual({ file, permissions: {} })
      for (const [name, job] of Object.entries(yaml.jobs)) {
        expect({ file, name, hasPermissions: job.permissions !== undefined }).toEqual({
          file,
          name,
          hasPermissions: true
        })
      }
    }
  })

  it('keeps no git credentials in checkouts of jobs that do not push', () => {
    for (const { file, yaml } of workflows) {
      for (const [name, job] of Object.entries(yaml.jobs)) {
        const pushes = job.steps.some((s) => /--push|git push/.test(s.run ?? ''))
        for (const step of job.steps.filter((s) => s.uses?.startsWith('actions/checkout@'))) {
          expect({ file, name, persist: step.with?.['persist-credentials'] }).toEqual({
            file,
            name,
            persist: pushes ? undefined : false
          })
        }
      }
    }
  })

  it('tests on every hosted OS and runs the action itself on every hosted OS and CPU', () => {
    const ci = workflows.find((w) => w.file === 'ci.yml')!.yaml.jobs
    expect(ci.test.strategy?.matrix?.os).toEqual([
      'ubuntu-latest',
      'macos-latest',
      'windows-latest'
    ])
    expect(ci.action.strategy?.matrix?.os).toEqual([
      'ubuntu-latest',
      'macos-latest',
      'windows-latest',
      'ubuntu-24.04-arm'
    ])
    const own = ci.action.steps.filter((s) => s.uses === './')
    expect(own.map((s) => s.with?.['dry-run'] ?? 'real run')).toEqual([true, 'real run'])
    expect(own[1].with?.['api-url']).toBe('${{ steps.simulator.outputs.url }}')
  })

  it('attests the build provenance of dist/index.js on release', () => {
    const release = workflows.find((w) => w.file === 'release.yml')!.yaml.jobs.release
    const attest = release.steps.find((s) => s.uses?.startsWith('actions/attest-build-provenance@'))
    expect(attest?.with).toEqual({ 'subject-path': 'dist/index.js' })
    expect(release.permissions).toEqual({
      contents: 'write',
      'id-token': 'write',
      attestations: 'write'
    })
  })
})
