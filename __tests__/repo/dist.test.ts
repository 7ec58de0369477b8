// The committed dist/ is what users run: it must be exactly what `npm run bundle` builds from src/.
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../tools/run-action.js'

describe('dist/', () => {
  it('is what `npm run bundle` builds from the committed sources', () => {
    const bundleScript = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).scripts
      .bundle as string
    expect(bundleScript).toMatch(/^ncc build .* -o dist( |$)/)
    const outDir = mkdtempSync(join(tmpdir(), 'refresh-segment-dist-'))
    try {
      const args = bundleScript
        .replace(/^ncc /, '')
        .replace(/ -o dist( |$)/, ` -o ${outDir}$1`)
        .split(' ')
      execFileSync(
        process.execPath,
        [join(projectRoot, 'node_modules/@vercel/ncc/dist/ncc/cli.js'), ...args],
        {
          cwd: projectRoot,
          stdio: 'pipe'
        }
      )
      const built = readdirSync(outDir).sort()
      expect(readdirSync(join(projectRoot, 'dist')).sort()).toEqual(built)
      for (const file of built) {
        const fresh = readFileSync(join(outDir, file), 'utf8')
        const committed = readFileSync(join(projectRoot, 'dist', file), 'utf8')
        if (committed === fresh) continue
        const lf = (text: string) => text.replace(/\r\n/g, '\n')
        throw new Error(
          lf(committed) === lf(fresh)
            ? `dist/${file} differs from the build only in line endings (CRLF against LF). .gitattributes keeps every file LF on every OS; this checkout predates that rule or overrides it. Re-check out with \`git rm -r --cached . && git reset --hard\`, then \`npm run bundle\`.`
            : `dist/${file} is out of date with src/: run \`npm run bundle\` and commit dist/`
        )
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true })
    }
  }, 120_000)
})
