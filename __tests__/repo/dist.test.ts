// The committed dist/ is what users run: it must be exactly what `npm run bundle` builds from the
// sources (the action's bundle, and the live check's under dist/live-check/).
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../tools/run-action.js'

/** Every file under `dir`, as paths relative to it with `/`. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true })
    .map((file) => String(file).replace(/\\/g, '/'))
    .filter((file) => statSync(join(dir, file)).isFile())
    .sort()

describe('dist/', () => {
  it('is what `npm run bundle` builds from the committed sources', () => {
    const bundleScript = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).scripts
      .bundle as string
    const steps = bundleScript.split(' && ')
    // Stale chunks of dynamic imports go first; ncc never removes them.
    expect(steps[0]).toBe('node tools/clean-dist.js')
    const builds = steps.slice(1)
    expect(builds).toEqual([
      expect.stringMatching(/^ncc build src\/index\.ts -o dist( |$)/),
      expect.stringMatching(/^ncc build tools\/live-check\/live-check\.ts -o dist\/live-check( |$)/)
    ])
    const outDir = mkdtempSync(join(tmpdir(), 'refresh-segment-dist-'))
    try {
      for (const build of builds) {
        const args = build
          .replace(/^ncc /, '')
          .replace(
            / -o dist(\S*)( |$)/,
            (_, sub: string, end: string) => ` -o ${outDir}${sub}${end}`
          )
          .split(' ')
        execFileSync(
          process.execPath,
          [join(projectRoot, 'node_modules/@vercel/ncc/dist/ncc/cli.js'), ...args],
          { cwd: projectRoot, stdio: 'pipe' }
        )
      }
      const built = filesUnder(outDir)
      expect(built).toEqual(
        expect.arrayContaining(['index.js', 'package.json', 'live-check/index.js'])
      )
      // The chunks only a scheduled run loads are part of what users run.
      expect(built.filter((file) => /^\d+\.index\.js$/.test(file)).length).toBeGreaterThan(0)
      expect(filesUnder(join(projectRoot, 'dist'))).toEqual(built)
      for (const file of built) {
        const fresh = readFileSync(join(outDir, file), 'utf8')
        const committed = readFileSync(join(projectRoot, 'dist', file), 'utf8')
        if (committed === fresh) continue
        const lf = (text: string) => text.replace(/\r\n/g, '\n')
        throw new Error(
          lf(committed) === lf(fresh)
            ? `dist/${file} differs from the build only in line endings (CRLF against LF). .gitattributes keeps every file LF on every OS; this checkout predates that rule or overrides it. Re-check out with \`git rm -r --cached . && git reset --hard\`, then \`npm run bundle\`.`
            : `dist/${file} is out of date with its sources: run \`npm run bundle\` and commit dist/`
        )
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true })
    }
  }, 120_000)
})
