// `npm run demo`: runs the built action (dist/index.js) exactly as the Actions runner would,
// against the project's local SendGrid simulator, then prints its outputs and job summary.
import { demoApiKey, startSimulator } from '../../__tests__/support/sendgrid-simulator.js'
import { runAction } from '../../__tests__/support/run-action.js'

const spring = 'b1a7c2de-0f3a-4c5b-9d6e-7f8091a2b3c4'
const vip = 'c2b8d3ef-1a4b-4d6c-8e7f-809102b3c4d5'
const simulator = await startSimulator({
  refreshDelayMs: 1500,
  segments: [
    {
      id: spring,
      name: 'Spring sale, EU customers',
      contactsCount: 1200,
      contactsCountAfterRefresh: 1234
    },
    { id: vip, name: 'VIP customers', contactsCount: 87, contactsCountAfterRefresh: 91 }
  ]
})

console.log(`SendGrid simulator listening at ${simulator.url}\n`)
const run = await runAction({
  'api-key': demoApiKey,
  'api-url': simulator.url,
  'segment-ids': spring,
  'segment-names': 'VIP customers',
  'time-zone': 'Europe/Berlin',
  wait: 'true',
  'wait-interval-seconds': '0.5'
})
await simulator.close()

console.log('--- action log (stdout) ---')
console.log(run.stdout.trimEnd())
if (run.stderr.trim()) console.log(`--- stderr ---\n${run.stderr.trimEnd()}`)
console.log('\n--- outputs ---')
for (const [name, value] of Object.entries(run.outputs)) console.log(`${name}: ${value}`)
console.log('\n--- job summary (GITHUB_STEP_SUMMARY) ---')
console.log(run.summary.trimEnd())
console.log(`\nexit status: ${run.exitCode} (${Math.round(run.durationMs)} ms)`)
process.exitCode = run.exitCode ?? 1
