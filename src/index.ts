/** The action's entry point, bundled to dist/index.js. */
// First: the signal handlers are installed as this module loads, before the rest of the action.
import { runCancel } from './signals.js'
import { run } from './main.js'

await run(runCancel)
