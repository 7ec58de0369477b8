// Run by `npm run bundle` before ncc: ncc writes the chunks of dynamic imports (`<id>.index.js`)
// beside dist/index.js but never removes those a change left behind.
import { readdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const dist = fileURLToPath(new URL('../dist/', import.meta.url))
for (const file of readdirSync(dist)) if (/^\d+\.index\.js$/.test(file)) rmSync(dist + file)
