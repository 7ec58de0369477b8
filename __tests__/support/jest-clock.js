// Jest runs this before every suite: each suite starts at the same chosen instant (see test-clock.js).
import { setClock, suiteInstant } from '../../tools/test-clock/clock.js'

setClock(suiteInstant())
