// `npm run -s simulator -- [options]`: starts the local SendGrid simulator, prints its URL as the
// first line of output and keeps running until stopped. For a workflow step that runs the action
// itself (`uses: ./`) against it, for `npm run local-action`, and for trying the action by hand.
import { parseArgs } from 'node:util'
import { findScenario, readScenario, simulatorOptions } from './scenario.js'
import { demoApiKey, startSimulator } from './index.js'

const help = `Usage: npm run -s simulator -- [options]

Starts a local stand-in for SendGrid's Marketing Campaigns API on 127.0.0.1 and prints its URL as
the first line. Give that URL to the action as api-url, with the API key ${demoApiKey}.
Stop it with Ctrl+C.

Options:
  --scenario FILE         what SendGrid has: segments, Single Sends and contact jobs, from a
                          scenario file, or the name of one in tools/simulator/scenarios
                          (npm run demo -- --list shows them)
  --segment ID=NAME       a segment (repeat for more); with --scenario, added to its segments
  --port N                the port to listen on (default: a free one)
  --refresh-delay-ms N    how long a refresh takes to land (default 1000, or the scenario's)
  --help                  this text
`

let values
try {
  values = parseArgs({
    options: {
      help: { type: 'boolean', default: false },
      scenario: { type: 'string' },
      port: { type: 'string', default: '0' },
      segment: { type: 'string', multiple: true, default: [] },
      'refresh-delay-ms': { type: 'string' }
    }
  }).values
} catch (error) {
  console.error(`${/** @type {Error} */ (error).message}\n\n${help}`)
  process.exit(2)
}
if (values.help) {
  console.log(help)
  process.exit(0)
}

const numberOption = (/** @type {string} */ name, /** @type {string} */ text) => {
  const value = Number(text)
  if (text.trim() === '' || !Number.isInteger(value) || value < 0) {
    console.error(`--${name} must be a whole number of 0 or more, not "${text}".`)
    process.exit(2)
  }
  return value
}

let scenario
if (values.scenario !== undefined) {
  const file = findScenario(values.scenario)
  if (file === null) {
    console.error(`--scenario: no file "${values.scenario}", and no scenario of that name.`)
    process.exit(2)
  }
  try {
    scenario = readScenario(file)
  } catch (error) {
    console.error(/** @type {Error} */ (error).message)
    process.exit(2)
  }
}
const options = scenario
  ? simulatorOptions(scenario, Date.now())
  : { refreshDelayMs: 1000, segments: [] }
const segmentSpec = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})=(.+)$/i
const badSegments = values.segment.filter((spec) => !segmentSpec.test(spec))
if (badSegments.length > 0) {
  console.error(
    `--segment must be UUID=Name, such as 1588e03b-50aa-454a-97d1-e1530345a5ec=Spring sale, not ${badSegments.map((s) => JSON.stringify(s)).join(', ')}.`
  )
  process.exit(2)
}
const extraSegments = values.segment.map((spec) => {
  const [, id, name] = /** @type {RegExpExecArray} */ (segmentSpec.exec(spec))
  return { id: id.toLowerCase(), name }
})
const simulator = await startSimulator({
  ...options,
  port: numberOption('port', values.port),
  ...(values['refresh-delay-ms'] !== undefined
    ? { refreshDelayMs: numberOption('refresh-delay-ms', values['refresh-delay-ms']) }
    : {}),
  segments: [...options.segments, ...extraSegments]
})
console.log(simulator.url)
const segments = [...simulator.segments.values()]
console.error(
  [
    `SendGrid simulator: API key ${demoApiKey}; stop with Ctrl+C.`,
    ...(scenario ? [scenario.description] : []),
    `${segments.length} segment(s)${segments.length > 0 ? ':' : '.'}`,
    ...segments.map((s) => `  ${s.id}  ${s.name}`),
    ...[...simulator.singleSends.values()].map((s) => `  Single Send ${s.id}  ${s.name}`),
    ...[...simulator.contactJobs.values()].map((j) => `  contact job ${j.id}`)
  ].join('\n')
)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => void simulator.close().then(() => process.exit(0)))
}
