// `npm run docs`: writes the inputs and outputs tables of the reference (docs/inputs.md and
// docs/outputs.md) from action.yml. `npm run docs -- --check` (used by the tests) exits 1 when a
// page is out of date.
import { readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import * as prettier from 'prettier'
import { projectRoot, readActionYml } from '../../tools/run-action.js'

/** Each generated table: the page it lives in, its marker there, and how it is drawn. */
const pages = [
  { path: join(projectRoot, 'docs', 'inputs.md'), marker: 'inputs', table: inputsTable },
  { path: join(projectRoot, 'docs', 'outputs.md'), marker: 'outputs', table: outputsTable }
]

/** @typedef {ReturnType<typeof readActionYml>} ActionYml */

const cell = (/** @type {unknown} */ text) =>
  String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\|/g, '\\|')

/** @param {ActionYml} action */
export function inputsTable(action) {
  const rows = Object.entries(action.inputs).map(([name, spec]) => {
    const fallback = spec.required
      ? '**required**'
      : spec.default === '' || spec.default === undefined
        ? ''
        : `\`${spec.default}\``
    return `| \`${name}\` | ${fallback} | ${cell(spec.description)} |`
  })
  return ['| input | default | description |', '| --- | --- | --- |', ...rows].join('\n')
}

/** @param {ActionYml} action */
export function outputsTable(action) {
  const rows = Object.entries(action.outputs).map(
    ([name, spec]) => `| \`${name}\` | ${cell(spec.description)} |`
  )
  return ['| output | description |', '| --- | --- |', ...rows].join('\n')
}

/**
 * @param {string} text
 * @param {string} marker
 * @param {string} content
 * @param {string} path
 */
function replaceBetween(text, marker, content, path) {
  const start = `<!-- ${marker}:start (generated from action.yml by npm run docs) -->`
  const end = `<!-- ${marker}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`${path} lacks the ${start} ... ${end} markers`)
  return `${text.slice(0, from + start.length)}\n\n${content}\n\n${text.slice(to)}`
}

/**
 * A page with its table drawn from action.yml, formatted as prettier would.
 * @param {(typeof pages)[number]} page
 */
export async function renderPage({ path, marker, table }) {
  const text = replaceBetween(readFileSync(path, 'utf8'), marker, table(readActionYml()), path)
  const options = (await prettier.resolveConfig(path)) ?? {}
  return prettier.format(text, { ...options, filepath: path })
}

const check = process.argv.includes('--check')
const stale = []
for (const page of pages) {
  const current = readFileSync(page.path, 'utf8')
  const rendered = await renderPage(page)
  if (rendered === current) continue
  stale.push(relative(projectRoot, page.path))
  if (!check) writeFileSync(page.path, rendered)
}
if (check && stale.length > 0) {
  console.error(
    `${stale.join(' and ')} out of date with action.yml: run \`npm run docs\` and commit.`
  )
  process.exitCode = 1
} else if (check) {
  console.log('The tables of docs/ match action.yml.')
} else {
  console.log(
    stale.length > 0
      ? `Updated ${stale.join(' and ')} from action.yml.`
      : 'docs/ is already up to date.'
  )
}
