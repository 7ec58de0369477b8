// `npm run docs:summary`: runs the built action against the local simulator, then renders the job
// summary it wrote to .github/images/job-summary.png with headless Chromium (Debian's `chromium`
// package: apt-get install chromium). Not part of CI; rerun it when the summary changes.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot, runAction } from '../../__tests__/support/run-action.js'
import { demoApiKey, startSimulator } from '../../__tests__/support/sendgrid-simulator.js'

const chromium = process.env.CHROMIUM ?? 'chromium'
const spring = 'b1a7c2de-0f3a-4c5b-9d6e-7f8091a2b3c4'
const vip = 'c2b8d3ef-1a4b-4d6c-8e7f-809102b3c4d5'
const churn = 'd3c9e4f0-2b5c-4e7d-9f80-9112a3c4d5e6'
const now = Date.now()

// One segment of each kind: refreshed and recomputed, refreshed twice today already, missing.
const simulator = await startSimulator({
  refreshDelayMs: 500,
  segments: [
    {
      id: spring,
      name: 'Spring sale, EU customers',
      contactsCount: 1200,
      contactsCountAfterRefresh: 1234
    },
    {
      id: vip,
      name: 'VIP customers',
      contactsCount: 87,
      refreshTimes: [now - 7_200_000],
      lastRefreshedAt: now - 1_500_000
    }
  ]
})
const run = await runAction({
  'api-key': demoApiKey,
  'api-url': simulator.url,
  'segment-ids': `${spring} ${vip} ${churn}`,
  'time-zone': 'Europe/Berlin',
  wait: 'true',
  'wait-interval-seconds': '0.3'
})
await simulator.close()

const page = `<!doctype html><html><head><meta charset="utf-8"><style>
body { font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328;
       margin: 0; padding: 24px; background: #fff; }
h2 { font-size: 20px; border-bottom: 1px solid #d1d9e0; padding-bottom: 6px; margin-top: 0; }
table { border-collapse: collapse; margin: 12px 0; }
th, td { border: 1px solid #d1d9e0; padding: 6px 12px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
tr:nth-child(2n) td { background: #f6f8fa; }
code { font: 12px ui-monospace, "SFMono-Regular", Menlo, monospace; background: #eff1f3; padding: 2px 4px; border-radius: 4px; }
td:last-child { max-width: 420px; }
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
    '--window-size=1400,740',
    `--screenshot=${output}`,
    `file://${htmlPath}`
  ],
  { stdio: 'ignore' }
)
rmSync(workDir, { recursive: true, force: true })
console.log(`Rendered the job summary of a real run (exit status ${run.exitCode}) to ${output}`)
