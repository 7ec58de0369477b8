// action.yml, the code, the README and the workflows must not drift apart.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import semver from 'semver'
import { parse } from 'yaml'
import { inputDefaults } from '../../src/inputs/settings.js'
import { toContactJobEntry, toResultEntry, toSingleSendEntry } from '../../src/report/outputs.js'
import { newResult, notReadyReasons } from '../../src/run/results.js'
import { inputDefault, projectRoot, readActionYml, runAction } from '../../tools/run-action.js'
import { machineNodePath } from '../../tools/runtimes.js'
import { listScenarios } from '../../tools/simulator/scenario.js'
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
        // An expression is filled by the runner; the code has no default of its own for it.
        expect({ name, default: inputDefault(spec) }).toEqual({ name, default: codeDefault })
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

/** The README and every page of docs/, by path. */
const docs = new Map(
  [
    'README.md',
    ...readdirSync(join(projectRoot, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`)
  ].map((path) => [path, readFileSync(join(projectRoot, path), 'utf8')])
)
const readme = docs.get('README.md')!
const yamlBlocks = (text: string) => [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1])
const exampleCopy = readFileSync(
  join(projectRoot, 'docs', 'examples', 'refresh-segments.yml'),
  'utf8'
)
/** Every example workflow a user may copy: the README's, the reference's, and the shipped one. */
const examples = [...[...docs.values()].flatMap(yamlBlocks), exampleCopy]

type Step = { uses?: string; with?: Record<string, unknown> }
type Workflow = {
  on?: unknown
  jobs?: Record<string, { needs?: string; 'runs-on'?: string; steps?: Step[] }>
}

describe('README.md', () => {
  it('runs to at most 300 lines, with a Quick start in its first 60 that gates a send and runs the demo', () => {
    const lines = readme.split('\n')
    expect(lines.length).toBeLessThanOrEqual(300)
    const start = lines.indexOf('## Quick start')
    expect(start).toBeGreaterThan(0)
    const quickStart = readme.split('## Quick start\n')[1].split('\n## ')[0]
    const end = start + quickStart.split('\n').length
    expect(end).toBeLessThanOrEqual(60)
    const workflow = parse(yamlBlocks(quickStart)[0]) as Workflow
    const gate = Object.values(workflow.jobs ?? {}).find((job) => job.needs)
    const step = workflow.jobs?.[gate!.needs!]?.steps?.find((s) =>
      s.uses?.includes('refresh-segment')
    )
    expect(Object.keys(step?.with ?? {})).toEqual(
      expect.arrayContaining(['wait', 'fail-unless-ready', 'fresh-within-minutes', 'min-contacts'])
    )
    expect(quickStart).toContain('```sh\nnpm ci && npm run demo\n```')
  })

  it('opens with what the action does in three sentences', () => {
    const opening = readme.split('\n## ')[0].split('\n\n').slice(1).join(' ')
    expect(opening.replace(/\s+/g, ' ').match(/[.!?](\s|$)/g)).toHaveLength(3)
  })

  it('keeps every line outside code blocks and tables to 120 characters, link URLs aside', () => {
    const long = readme
      .replace(/```[\s\S]*?```/g, '')
      .split('\n')
      .filter((line) => !line.startsWith('|'))
      .map((line) => line.replace(/\]\([^)]*\)/g, ']()'))
      .filter((line) => line.length > 120)
    expect(long).toEqual([])
  })

  it('gives the two commands a new user needs, and CI runs the same test command', () => {
    expect(readme).toContain('```sh\nnpm ci && npm run demo\n```')
    expect(readme).toContain('```sh\nnpm ci && npm test\n```')
    expect(readFileSync(join(projectRoot, '.ci', 'run'), 'utf8')).toMatch(/^npm ci && npm test$/m)
  })

  it('shows every story with the one command that runs it, under Stories', () => {
    const stories = readme.split('\n## Stories\n')[1].split('\n## ')[0]
    const quickStart = readme.split('\n## Quick start\n')[1].split('\n## ')[0]
    for (const { name } of listScenarios()) {
      // The Quick start's story is what `npm run demo` runs with no name, and it says so there.
      if (name === 'quick-start') expect(quickStart).toContain('(the story `quick-start`)')
      else expect(stories).toContain(`\`npm run demo -- ${name}\``)
    }
    expect(readme).toContain('```sh\nnpm run -s simulator -- --scenario ')
  })

  it('links every page of the reference in docs/', () => {
    for (const path of docs.keys()) {
      if (path !== 'README.md') expect(readme).toContain(`](${path})`)
    }
  })

  it('says how old an audience can be at send time next to the scheduled example', () => {
    const scheduled = readme.split('### Before every scheduled campaign')[1].split('\n### ')[0]
    const example = parse(yamlBlocks(scheduled)[0]) as {
      jobs: Record<string, { steps: Array<{ with: Record<string, number> }> }>
    }
    const { 'single-sends-within-minutes': ahead, 'fresh-within-minutes': fresh } = Object.values(
      example.jobs
    )[0].steps[0].with
    expect(scheduled).toContain(`up to ${ahead + fresh} minutes with these settings`)
  })
})

describe('the reference in docs/', () => {
  it('has the inputs and outputs tables npm run docs generates from action.yml', () => {
    const check = spawnSync(machineNodePath, ['.github/scripts/docs.js', '--check'], {
      cwd: projectRoot,
      encoding: 'utf8'
    })
    expect(check.stderr + check.stdout).toContain('The tables of docs/ match action.yml.')
    expect(check.status).toBe(0)
  })

  it('keeps action.yml short: no description over 300 characters, the details are in docs/', () => {
    const long = Object.entries({ ...action.inputs, ...action.outputs })
      .map(([name, spec]) => [name, String(spec.description).replace(/\s+/g, ' ').length])
      .filter(([, length]) => Number(length) > 300)
    expect(long).toEqual([])
  })

  it('lists every key of results, single-sends and contact-jobs, and every not_ready_reason', () => {
    const outputs = docs.get('docs/outputs.md')!
    const keysUnder = (heading: string) =>
      [
        ...outputs
          .split(`## \`${heading}\``)[1]
          .split('\n## ')[0]
          .split('\n\n')
          .find((part) => part.startsWith('| key'))!
          .matchAll(/^\| `([a-z_]+)` +\|/gm)
      ].map((m) => m[1])
    const result = newResult('s', null, {
      outcome: 'fresh',
      httpStatus: null,
      message: '',
      reason: '',
      annotation: null
    })
    expect(keysUnder('results')).toEqual(Object.keys(toResultEntry(result)))
    const singleSend = toSingleSendEntry({} as Parameters<typeof toSingleSendEntry>[0])
    expect(keysUnder('single-sends')).toEqual(Object.keys(singleSend))
    const job = toContactJobEntry({} as Parameters<typeof toContactJobEntry>[0])
    expect(keysUnder('contact-jobs')).toEqual(Object.keys(job))
    const reasons = outputs.split('`not_ready_reason` is one of:')[1].split('\n## ')[0]
    const listed = [...reasons.matchAll(/^\| `([a-z_]+)` +\|/gm)].map((m) => m[1])
    expect(listed.sort()).toEqual([...notReadyReasons].sort())
  })

  it('links only files and headings that exist', () => {
    const anchor = (heading: string) =>
      heading
        .toLowerCase()
        .replace(/[^a-z0-9 _-]/g, '')
        .replace(/ /g, '-')
    const broken: string[] = []
    for (const [path, text] of docs) {
      const prose = text.replace(/```[\s\S]*?```/g, '')
      for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^https?:/.test(target)) continue
        const [file, hash] = target.split('#')
        const resolved = file ? posix.normalize(posix.join(posix.dirname(path), file)) : path
        const linked = join(projectRoot, resolved)
        if (!existsSync(linked)) {
          broken.push(`${path}: ${target}`)
          continue
        }
        if (statSync(linked).isDirectory()) continue
        const content = readFileSync(linked, 'utf8')
        const headings = [...content.matchAll(/^#+ (.*)$/gm)].map((m) => anchor(m[1]))
        if (hash && !headings.includes(hash)) broken.push(`${path}: ${target}`)
      }
    }
    expect(broken).toEqual([])
  })
})

describe('the example workflows', () => {
  it('gate every later job on ready: each job a send needs uses fail-unless-ready with wait and min-contacts: 1', () => {
    const gated = examples
      .map((text) => parse(text) as Workflow)
      .filter((workflow) => Object.values(workflow?.jobs ?? {}).some((job) => job.needs))
    expect(gated.length).toBeGreaterThanOrEqual(2)
    for (const workflow of gated) {
      const needed = Object.values(workflow.jobs ?? {}).flatMap((job) => job.needs ?? [])
      for (const name of needed) {
        const step = workflow.jobs?.[name]?.steps?.find((s) => /refresh-segment/.test(s.uses ?? ''))
        expect(step?.with).toMatchObject({
          wait: true,
          'fail-unless-ready': true,
          'min-contacts': 1
        })
      }
    }
  })

  it('are whole workflows a user can paste, the key from a secret, only declared inputs', () => {
    expect(examples.length).toBeGreaterThanOrEqual(7)
    for (const text of examples) {
      const workflow = parse(text) as Workflow
      expect({ text, on: workflow.on !== undefined }).toEqual({ text, on: true })
      expect(Object.keys(workflow.jobs ?? {}).length).toBeGreaterThan(0)
      for (const job of Object.values(workflow.jobs ?? {})) {
        expect(job['runs-on']).toEqual(expect.any(String))
        expect(job.steps?.length).toBeGreaterThan(0)
        for (const step of job.steps ?? []) {
          if (!step.uses?.includes('refresh-segment')) continue
          expect(step.uses).toBe('<org>/refresh-segment@v2')
          expect(String(step.with?.['api-key'])).toMatch(
            /^\$\{\{ secrets\.SENDGRID_[A-Z_]*API_KEY \}\}$/
          )
          for (const input of Object.keys(step.with ?? {}))
            expect(Object.keys(action.inputs)).toContain(input)
        }
      }
    }
  })

  it('put a name with a comma on a line of its own', () => {
    const names = examples
      .flatMap((text) => Object.values((parse(text) as Workflow).jobs ?? {}))
      .flatMap((job) => job.steps ?? [])
      .flatMap((step) => [step.with?.['segment-names'], step.with?.['single-send-names']])
      .filter((value): value is string => typeof value === 'string')
    expect(names.some((value) => value.includes(','))).toBe(true)
    for (const value of names.filter((v) => v.includes(','))) expect(value).toMatch(/\n$/)
  })

  it("ship the README's copy as docs/examples/refresh-segments.yml; CI's variant differs only in uses: ./ and its checkout", () => {
    const variant = readFileSync(
      join(projectRoot, '.github', 'workflows', 'refresh-segments.yml'),
      'utf8'
    )
    const copy = parse(exampleCopy) as Workflow
    const own = parse(variant) as Workflow
    const steps = (w: Workflow) =>
      Object.fromEntries(Object.entries(w.jobs ?? {}).map(([name, job]) => [name, job.steps]))
    const withoutCheckout = Object.fromEntries(
      Object.entries(steps(own)).map(([name, list]) => [
        name,
        (list ?? [])
          .filter((s) => !s.uses?.startsWith('actions/checkout@'))
          .map((s) => (s.uses === './' ? { ...s, uses: '<org>/refresh-segment@v2' } : s))
      ])
    )
    expect(withoutCheckout).toEqual(steps(copy))
    expect(own.on).toEqual(copy.on)
    expect(readme).toContain('](docs/examples/refresh-segments.yml)')
  })
})

describe('README.md for users, CONTRIBUTING.md for contributors', () => {
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
