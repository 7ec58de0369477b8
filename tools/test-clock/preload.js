// Loaded with `node --import` into a process the tests start (the action, the demo): takes over the
// test's clock from the offset the parent passed. See test-clock.js.
import { offsetVariable, setClockOffset } from './clock.js'

const offsetMs = Number(process.env[offsetVariable])
if (process.env[offsetVariable] && Number.isFinite(offsetMs)) setClockOffset(offsetMs)
