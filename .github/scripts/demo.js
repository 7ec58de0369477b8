// `npm run demo`: runs the built action (dist/index.js) exactly as the Actions runner would, against
// the project's local SendGrid simulator, then prints its log, outputs and job summary (as text).
import { runDemoScenario } from './demo-scenario.js'
import { summaryAsText } from './summary-text.js'

const { run, simulatorUrl } = await runDemoScenario({ contactJob: true })

console.log(`SendGrid simulator listened at ${simulatorUrl}\n`)
console.log('--- action log (stdout) ---')
console.log(run.stdout.trimEnd())
if (run.stderr.trim()) console.log(`--- stderr ---\n${run.stderr.trimEnd()}`)
console.log('\n--- outputs ---')
for (const [name, value] of Object.entries(run.outputs)) console.log(`${name}: ${value}`)
console.log('\n--- job summary (GITHUB_STEP_SUMMARY, shown as text) ---')
console.log(summaryAsText(run.summary))
console.log(`\nexit status: ${run.exitCode} (${Math.round(run.durationMs)} ms)`)
process.exitCode = run.exitCode ?? 1
