// action.yml, the code, the README and the workflows must not drift apart.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inputDefaults } from '../src/inputs.js'
import { projectRoot, readActionYml, runAction } from './support/run-action.js'
import { machineNodePath } from './support/runtimes.js'
import { demoApiKey, startSimulator } from './support/sendgrid-simulator.js'

const action = readActionYml()
const sourceFiles = readdirSync(join(projectRoot, 'src')).filter((f) => f.endsWith('.ts'))
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
      execFileSync('mkdir', ['-p', join(dir, '.github', 'workflows')])
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
