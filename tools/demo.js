// `npm run demo -- [STORY | --list]`: runs a story against the project's local SendGrid simulator,
// each run as the Actions runner runs the built action (dist/index.js), and prints its log, outputs
// and job summary (as text). Without a story: three-audiences. Stories are the scenario files in
// tools/simulator/scenarios; a story whose point is a failure expects it and exits 0.
import { findScenario, listScenarios, readScenario } from './simulator/scenario.js'
import { runStory } from './story.js'
import { summaryAsText } from './summary-text.js'

const defaultStory = 'three-audiences'
const [asked = defaultStory, ...extra] = process.argv.slice(2)

if (asked === '--list' || asked === '--help' || asked === '-h') {
  const stories = listScenarios()
  const width = Math.max(...stories.map((s) => s.name.length))
  console.log('Stories (npm run demo -- STORY; without one, three-audiences):\n')
  for (const story of stories) console.log(`  ${story.name.padEnd(width)}  ${story.description}`)
  process.exit(0)
}
const file = findScenario(asked)
if (extra.length > 0 || file === null) {
  const names = listScenarios().map((s) => s.name)
  console.error(
    `No story "${[asked, ...extra].join(' ')}". The stories: ${names.join(', ')} (npm run demo -- --list).`
  )
  process.exit(2)
}

const scenario = readScenario(file)
const runs = scenario.runs ?? []
console.log(`Story: ${asked}\n${scenario.description}\n`)
const { simulatorUrl, runs: done } = await runStory(scenario, {
  onRun: ({ title, inputs, cancelSecondsAfterRefresh, expect, unmet, run }, index) => {
    console.log(`=== Run ${index + 1} of ${runs.length}: ${title}`)
    console.log('--- inputs (with api-key and api-url of the simulator) ---')
    for (const [name, value] of Object.entries(inputs))
      console.log(`${name}: ${value.replace(/\n/g, '\n' + ' '.repeat(name.length + 2))}`)
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
const unexpected = done.filter(({ unmet }) => unmet.length > 0)
console.log(`SendGrid simulator listened at ${simulatorUrl}`)
if (unexpected.length > 0) {
  console.log(`Story ${asked}: ${unexpected.length} run(s) did not end as the story expects.`)
  process.exitCode = 1
} else {
  console.log(`Story ${asked}: every run ended as the story expects.`)
}
