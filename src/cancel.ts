/** A run's stop signal from outside, and the release of its handlers. */
export interface Cancel {
  signal: AbortSignal
  release: () => void
}

/**
 * A cancel from outside as a signal the run can stop on: the runner's cancel (SIGINT, then
 * SIGTERM 7.5 s later) or Jenkins' abort. Both stay caught until release(), so a second signal
 * cannot cut short the writing of the outcome.
 */
export function cancelOnSignals(): Cancel {
  const controller = new AbortController()
  const cancel = (): void => controller.abort(new Error('cancelled'))
  process.on('SIGINT', cancel)
  process.on('SIGTERM', cancel)
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', cancel)
      process.off('SIGTERM', cancel)
    }
  }
}
