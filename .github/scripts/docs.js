// `npm run docs`: writes the README's inputs and outputs tables from action.yml.
// `npm run docs -- --check` (used by the tests) exits 1 when the README is out of date.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as prettier from 'prettier'
import { projectRoot, readActionYml } from '../../tools/run-action.js'

const readmePath = join(projectRoot, 'README.md')

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
 */
function replaceBetween(text, marker, content) {
  const start = `<!-- ${marker}:start (generated from action.yml by npm run docs) -->`
  const end = `<!-- ${marker}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`README.md lacks the ${start} ... ${end} markers`)
  return `${text.slice(0, from + start.length)}\n\n${content}\n\n${text.slice(to)}`
}

export async function renderReadme() {
  const action = readActionYml()
  let text = readFileSync(readmePath, 'utf8')
  text = replaceBetween(text, 'inputs', inputsTable(action))
  text = replaceBetween(text, 'outputs', outputsTable(action))
  const options = (await prettier.resolveConfig(readmePath)) ?? {}
  return prettier.format(text, { ...options, filepath: readmePath })
}

const current = readFileSync(readmePath, 'utf8')
const rendered = await renderReadme()
if (process.argv.includes('--check')) {
  if (rendered !== current) {
    console.error(
      'README.md is out of date with action.yml: run `npm run docs` and commit README.md.'
    )
    process.exitCode = 1
  } else {
    console.log('README.md tables match action.yml.')
  }
} else if (rendered !== current) {
  writeFileSync(readmePath, rendered)
  console.log('README.md updated from action.yml.')
} else {
  console.log('README.md is already up to date.')
}
