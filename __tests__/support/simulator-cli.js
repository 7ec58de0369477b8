// `npm run simulator -- [--port N] [--segment ID=NAME ...] [--refresh-delay-ms N]`: starts the local
// SendGrid simulator, prints its URL on the first line and keeps running until stopped. For a workflow
// step that runs the action itself (`uses: ./`) against it, and for trying the action by hand.
import { parseArgs } from 'node:util'
import { demoApiKey, startSimulator } from './sendgrid-simulator.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    segment: { type: 'string', multiple: true, default: [] },
    'refresh-delay-ms': { type: 'string', default: '1000' }
  }
})

const segments = values.segment.map((spec) => {
  const [id, ...name] = spec.split('=')
  return { id: id.toLowerCase(), ...(name.length > 0 ? { name: name.join('=') } : {}) }
})
const simulator = await startSimulator({
  port: Number(values.port),
  refreshDelayMs: Number(values['refresh-delay-ms']),
  segments
})
console.log(simulator.url)
console.error(
  `SendGrid simulator: ${segments.length} segment(s); API key ${demoApiKey}; stop with Ctrl+C.`
)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => void simulator.close().then(() => process.exit(0)))
}
