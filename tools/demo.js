// `npm run demo -- [STORY [--with NAME=VALUE]... | --list]`: runs a story against the project's local
// SendGrid simulator, each run as the Actions runner runs the built action (dist/index.js), and
// prints its log, outputs and job summary (as text). Without a story: quick-start, the README's Quick
// start. Stories are the scenario files in tools/simulator/scenarios; a story whose point is a
// failure expects it and exits 0. `--with` changes inputs of the story's first run, which then runs
// alone and is not held to the story's expectations.
import { readActionYml } from './run-action.js'
import { findScenario, listScenarios, readScenario } from './simulator/scenario.js'
import { runStory } from './story.js'
import { summaryAsText } from './summary-text.js'

const defaultStory = 'quick-start'
const args = process.argv.slice(2)
const asked =
  args[0] === undefined || args[0].startsWith('--with') ? defaultStory : String(args.shift())

if (asked === '--list' || asked === '--help' || asked === '-h') {
  const stories = listScenarios()
  const width = Math.max(...stories.map((s) => s.name.length))
  console.log(
    `Stories (npm run demo -- STORY [--with NAME=VALUE]...; without one, ${defaultStory}):\n`
  )
  for (const story of stories) console.log(`  ${story.name.padEnd(width)}  ${story.description}`)
  process.exit(0)
}

/** `--with NAME=VALUE` pairs, checked against the inputs action.yml declares. */
/** @type {Record<string, string>} */
const changed = {}
const known = Object.keys(readActionYml().inputs)
/** @returns {never} */
const refuse = (/** @type {string} */ message) => {
  console.error(message)
  process.exit(2)
}
while (args[0] === '--with' || args[0]?.startsWith('--with=')) {
  const flag = /** @type {string} */ (args.shift())
  const pair = (flag === '--with' ? args.shift() : flag.slice('--with='.length)) ?? ''
  const at = pair.indexOf('=')
  if (at <= 0) refuse(`--with takes NAME=VALUE, not ${JSON.stringify(pair)}.`)
  const name = pair.slice(0, at)
  if (!known.includes(name))
    refuse(`--with: "${name}" is no input of the action. The inputs: ${known.join(', ')}.`)
  if (name === 'api-key' || name === 'api-url')
    refuse(`--with: ${name} is the simulator's own in a story.`)
  changed[name] = pair.slice(at + 1)
}

const file = findScenario(asked)
if (args.length > 0 || file === null) {
  const names = listScenarios().map((s) => s.name)
  refuse(
    `No story "${[asked, ...args].join(' ')}". The stories: ${names.join(', ')} (npm run demo -- --list).`
  )
}

const ownInputs = Object.keys(changed).length > 0
const scenario = readScenario(/** @type {string} */ (file))
const runs = ownInputs ? (scenario.runs ?? []).slice(0, 1) : (scenario.runs ?? [])
console.log(`Story: ${asked}\n${scenario.description}\n`)
if (ownInputs)
  console.log(
    `With inputs of your own: ${Object.entries(changed)
      .map(([name, value]) => `${name}=${value}`)
      .join(', ')}. The story's first run only, not held to what the story expects.\n`
  )
const { simulatorUrl, runs: done } = await runStory(scenario, {
  with: changed,
  firstRunOnly: ownInputs,
  onRun: ({ title, inputs, speedUps, cancelSecondsAfterRefresh, expect, unmet, run }, index) => {
    console.log(`=== Run ${index + 1} of ${runs.length}: ${title}`)
    console.log('--- inputs (with api-key and api-url of the simulator) ---')
    for (const [name, value] of Object.entries(inputs)) {
      const note =
        name in changed
          ? '  (yours)'
          : speedUps && name in speedUps
            ? '  (a speed-up for the demo)'
            : ''
      console.log(`${name}: ${value.replace(/\n/g, '\n' + ' '.repeat(name.length + 2))}${note}`)
    }
    if (cancelSecondsAfterRefresh !== undefined)
      console.log(
        `(cancelled ${cancelSecondsAfterRefresh} s after its refresh was accepted, as the runner cancels a step)`
      )
    console.log('\n--- action log (stdout) ---')
    console.log(run.stdout.trimEnd())
    if (run.stderr.trim()) console.log(`--- stderr ---\n${run.stderr.trimEnd()}`)
    console.log('\n--- outputs ---')
    for (const [name, value] of Object.entries(run.outputs)) console.log(`${name}: ${value}`)
    console.log('\n--- job summary (GITHUB_STEP_SUMMARY, shown as text) ---')
    console.log(summaryAsText(run.summary))
    if (ownInputs) {
      console.log(`exit status: ${run.exitCode} (${Math.round(run.durationMs)} ms)\n`)
      return
    }
    const expected = unmet.length > 0 ? '' : expect.exit === 0 ? '' : ', as this story expects'
    console.log(`exit status: ${run.exitCode}${expected} (${Math.round(run.durationMs)} ms)`)
    const claims = Object.entries(expect.outcomes).map(([name, outcome]) => `"${name}" ${outcome}`)
    console.log(
      unmet.length === 0
        ? `As the story expects: ${claims.join(', ')}; ready ${expect.ready}; exit ${expect.exit}.\n`
        : `Not as the story expects:\n${unmet.map((line) => `  ${line}`).join('\n')}\n`
    )
  }
})
console.log(`SendGrid simulator listened at ${simulatorUrl}`)
const unexpected = done.filter(({ unmet }) => unmet.length > 0)
if (ownInputs) {
  console.log(`Story ${asked}, with inputs of your own: ran.`)
} else if (unexpected.length > 0) {
  console.log(`Story ${asked}: ${unexpected.length} run(s) did not end as the story expects.`)
  process.exitCode = 1
} else {
  console.log(`Story ${asked}: every run ended as the story expects.`)
}
