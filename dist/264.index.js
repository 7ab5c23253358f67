export const id = 264;
export const ids = [264];
export const modules = {

/***/ 264:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ProxyAgent: () => (/* binding */ ProxyAgent),
/* harmony export */   fetch: () => (/* binding */ fetch)
/* harmony export */ });
/**
 * Stands in for `undici` in the bundles (tsconfig "paths"). The toolkit imports two things
 * from it: @actions/http-client's ProxyAgent, which @actions/github constructs as soon as it
 * loads when HTTPS_PROXY is set (a fetch dispatcher for Octokit), and @actions/github's fetch,
 * which only Octokit calls. This tool never creates an Octokit, and sends its own requests
 * through Node's http agents, proxy tunnelling included; evaluating undici would cost about
 * half of a cold start (see BENCHMARKS.md). So both exist and construct as the toolkit
 * expects, and anything that tried to send through them would be told why it cannot.
 */
const UNAVAILABLE = 'undici is not bundled with jira-build-result: its requests go through node:http, and GitHub API calls are not part of it.';
/** Built by @actions/http-client for a proxy URL; holds its options, sends nothing. */
class ProxyAgent {
    options;
    constructor(options) {
        this.options = options;
    }
    dispatch() {
        throw new Error(UNAVAILABLE);
    }
    close() {
        return Promise.resolve();
    }
    destroy() {
        return Promise.resolve();
    }
}
/** Referenced by @actions/github for Octokit's requests, which this tool never makes. */
function fetch() {
    return Promise.reject(new Error(UNAVAILABLE));
}


/***/ })

};
