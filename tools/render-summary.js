// `npm run docs:summary`: runs the `three-audiences` story (the built action against the local
// simulator) at a fixed instant, writes the job summary it produced as text to
// .github/images/job-summary.txt, and renders it to .github/images/job-summary.png with headless
// Chromium (Debian's `chromium` and `fonts-noto-color-emoji` packages). Not part of CI: a test runs
// the story the same way and fails when its text differs from the committed one.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { projectRoot } from './run-action.js'
import { readScenario, scenariosDir } from './simulator/scenario.js'
import { runStory } from './story.js'
import { summaryAsText } from './summary-text.js'
import { setClock } from './test-clock/clock.js'

/** The story the picture shows. */
export const pictureStory = join(scenariosDir, 'three-audiences.json')
/** When the picture's run happens: 14:00 in Berlin, the story's time zone, on a weekday. */
export const pictureInstant = '2026-12-01T13:00:00Z'
export const pictureText = join(projectRoot, '.github', 'images', 'job-summary.txt')
const picturePng = join(projectRoot, '.github', 'images', 'job-summary.png')

/**
 * The story's run as the picture shows it: its summary as HTML and as text.
 * @returns {Promise<{ html: string, text: string, exitCode: number | null, unmet: string[] }>}
 */
export async function renderStorySummary() {
  setClock(pictureInstant)
  const {
    runs: [{ run, unmet }]
  } = await runStory(readScenario(pictureStory))
  return {
    html: run.summary,
    text: `${summaryAsText(run.summary)}\n`,
    exitCode: run.exitCode,
    unmet
  }
}

/**
 * The text with what changes from one run to the next made the same: the refresh job IDs SendGrid
 * makes up, and the seconds a recompute took, which follow the machine's pace.
 * @param {string} text
 */
export function withoutRunNoise(text) {
  const storyIds = new Set(readFileSync(pictureStory, 'utf8').match(uuids) ?? [])
  return text
    .replace(uuids, (id) => (storyIds.has(id) ? id : '<refresh job ID>'))
    .replace(/\b\d\d:\d\d:\d\d\b/g, 'hh:mm:ss')
    .replace(/\b\d+ s after the refresh\b/g, 'N s after the refresh')
}

const uuids = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g

/**
 * The page Chromium renders: the summary's HTML with GitHub's look.
 * @param {string} html
 */
function page(html) {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
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
</style></head><body>${html}</body></html>`
}

const isMain = import.meta.url === pathToFileURL(process.argv[1] ?? '').href
if (isMain) {
  const chromium = process.env.CHROMIUM ?? 'chromium'
  const story = await renderStorySummary()
  if (story.unmet.length > 0) {
    console.error(`The story did not end as it says:\n  ${story.unmet.join('\n  ')}`)
    process.exit(1)
  }
  writeFileSync(pictureText, story.text)
  const workDir = mkdtempSync(join(tmpdir(), 'refresh-segment-summary-'))
  const htmlPath = join(workDir, 'summary.html')
  writeFileSync(htmlPath, page(story.html))
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
      '--window-size=1280,450',
      `--screenshot=${picturePng}`,
      pathToFileURL(htmlPath).href
    ],
    { stdio: 'ignore' }
  )
  rmSync(workDir, { recursive: true, force: true })
  console.log(
    `Rendered the job summary of the three-audiences story (exit status ${story.exitCode}) to ${picturePng}, and its text to ${pictureText}.`
  )
}
