// Entry point of the bundled action: start the run, nothing else.
import { run } from './main.js'

await run()
