/**
 * Stands in for `undici` in the bundles (tsconfig "paths"; tests and type checks never import
 * undici). @actions/http-client imports undici's ProxyAgent only to build fetch dispatchers
 * for Octokit, which this tool never creates: its own requests go through Node's http agents,
 * proxy tunnelling included. Evaluating undici costs about half of a cold start (see
 * BENCHMARKS.md), so the bundles carry this instead.
 */
export class ProxyAgent {
  constructor() {
    throw new Error('undici is not bundled with jira-build-result; fetch dispatchers are unavailable.')
  }
}
