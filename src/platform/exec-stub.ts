/**
 * Stands in for `@actions/exec` in the bundles (tsconfig "paths"). @actions/core imports it
 * only for `core.platform.getDetails()`, which runs `sw_vers` or `lsb_release`; this tool
 * never asks, and loading it brings child_process and its kin into every cold start.
 */
export function getExecOutput(): Promise<never> {
  return Promise.reject(new Error('@actions/exec is not bundled with jira-build-result.'))
}

export function exec(): Promise<never> {
  return getExecOutput()
}
