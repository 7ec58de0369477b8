// `npm run docs:summary`: runs the built action against the local simulator, then renders the job
// summary it wrote to .github/images/job-summary.png with headless Chromium (Debian's `chromium`
// and fonts-noto-color-emoji packages). Not part of CI; rerun it when the summary changes.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { projectRoot } from './run-action.js'
import { readScenario, scenariosDir } from './simulator/scenario.js'
import { runStory } from './story.js'

const chromium = process.env.CHROMIUM ?? 'chromium'
// The demo's run: one audience refreshed with a change in contacts, one fresh, one rate-limited.
const scenario = readScenario(join(scenariosDir, 'three-audiences.json'))
const {
  runs: [{ run }]
} = await runStory(scenario, { leaveOut: ['contact-job-ids'] })

const page = `<!doctype html><html><head><meta charset="utf-8"><style>
body { font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328;
       margin: 0; padding: 24px; background: #fff; }
h2 { font-size: 20px; border-bottom: 1px solid #d1d9e0; padding-bottom: 6px; margin-top: 0; }
table { border-collapse: collapse; margin: 12px 0; }
th, td { border: 1px solid #d1d9e0; padding: 6px 12px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
tr:nth-child(2n) td { background: #f6f8fa; }
code { font: 12px ui-monospace, "SFMono-Regular", Menlo, monospace; background: #eff1f3; padding: 2px 4px; border-radius: 4px; }
td:last-child { max-width: 460px; }
details { margin: 8px 0; } summary { color: #59636e; cursor: pointer; }
</style></head><body>${run.summary}</body></html>`

const workDir = mkdtempSync(join(tmpdir(), 'refresh-segment-summary-'))
const htmlPath = join(workDir, 'summary.html')
writeFileSync(htmlPath, page)
const output = join(projectRoot, '.github', 'images', 'job-summary.png')
execFileSync(
  chromium,
  [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--hide-scrollbars',
    `--user-data-dir=${join(workDir, 'profile')}`,
    '--window-size=1200,400',
    `--screenshot=${output}`,
    pathToFileURL(htmlPath).href
  ],
  { stdio: 'ignore' }
)
rmSync(workDir, { recursive: true, force: true })
console.log(`Rendered the job summary of a real run (exit status ${run.exitCode}) to ${output}`)
