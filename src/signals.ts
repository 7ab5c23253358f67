/**
 * The first import of both front ends (src/index.ts, src/cli.ts): importing it installs the
 * SIGINT and SIGTERM handlers, before any other module loads or any input is read. Until then
 * a signal ends the process at once, with no outputs, summary or outcome. Nothing else imports
 * it, so tests that load the core keep the default handling of signals.
 */
import { cancelOnSignals } from './cancel.js'

/** The run's cancel, caught from the start; the front end releases it when the outcome is written. */
export const runCancel = cancelOnSignals()
