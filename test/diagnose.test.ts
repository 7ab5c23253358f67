import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { diagnose, errorText } from '../src/jira/diagnose.js'

const response = (status: number, headers: Record<string, string> = {}, body = '') => ({ status, headers, body })

describe("reading Jira's refusals", () => {
  it('reports a CAPTCHA lockout with the login URL Jira names, on any status', () => {
    for (const status of [403, 200, 401]) {
      const failure = diagnose(
        response(status, {
          'x-seraph-loginreason': 'AUTHENTICATION_DENIED',
          'x-authentication-denied-reason': 'CAPTCHA_CHALLENGE; login-url=https://jira.example.com/login.jsp'
        }),
        { issueKey: 'CI-1' }
      )
      assert.equal(failure?.kind, 'captcha')
      assert.equal(failure?.details.loginUrl, 'https://jira.example.com/login.jsp')
      assert.match(failure?.message ?? '', /Log in once in a browser at https:\/\/jira\.example\.com\/login\.jsp and solve the CAPTCHA/)
      assert.equal(failure?.issueKey, 'CI-1')
    }
  })

  it('names the oauth_problem from WWW-Authenticate and its usual cause', () => {
    const failure = diagnose(response(401, { 'www-authenticate': 'OAuth realm="https%3A%2F%2Fjira.example.com", oauth_problem="token_rejected"' }))
    assert.equal(failure?.kind, 'unauthorized')
    assert.equal(failure?.details.oauthProblem, 'token_rejected')
    assert.match(failure?.message ?? '', /revoked, never authorized, or comes from another Jira/)
  })

  it('reads oauth_problem from a form body and keeps the base string for debug, decoded, token redacted', () => {
    const body = 'oauth_problem=signature_invalid&oauth_signature_base_string=GET%26https%253A%252F%252Fj%26oauth_token%253Dsecrettoken%2526x'
    const failure = diagnose(response(401, {}, body))
    assert.equal(failure?.details.oauthProblem, 'signature_invalid')
    assert.equal(failure?.details.debug, "Jira's signature base string: GET&https://j&oauth_token=***&x")
    assert.doesNotMatch(failure?.details.debug ?? '', /secrettoken/)
  })

  it('passes an unknown oauth_problem through verbatim', () => {
    assert.match(diagnose(response(400, {}, 'oauth_problem=something_new'))?.message ?? '', /oauth_problem=something_new/)
  })

  it('treats an anonymous answer as refused credentials even on a 200 or 404', () => {
    for (const status of [200, 404]) {
      assert.equal(diagnose(response(status, { 'x-ausername': 'anonymous' }))?.kind, 'unauthorized')
      assert.equal(diagnose(response(status, { 'x-seraph-loginreason': 'AUTHENTICATED_FAILED' }))?.kind, 'unauthorized')
    }
  })

  it('accepts a success from an authenticated user', () => {
    assert.equal(diagnose(response(204, { 'x-ausername': 'ci-bot', 'x-seraph-loginreason': 'OK' })), undefined)
  })

  it('classes plain statuses', () => {
    assert.equal(diagnose(response(401))?.kind, 'unauthorized')
    assert.equal(
      diagnose(response(403, {}, '{"message":"Basic Authentication has been disabled on this instance."}'))?.message.includes(
        'Basic Authentication has been disabled'
      ),
      true
    )
    assert.equal(diagnose(response(404, {}, '{"errorMessages":["Issue Does Not Exist"],"errors":{}}'))?.kind, 'not-found')
    assert.equal(diagnose(response(503))?.kind, 'error')
  })

  it("gives a 400's errorMessages and per-field errors", () => {
    const failure = diagnose(
      response(
        400,
        {},
        JSON.stringify({
          errorMessages: [],
          errors: { customfield_11623: "Field 'customfield_11623' cannot be set. It is not on the appropriate screen, or unknown." }
        })
      )
    )
    assert.equal(failure?.kind, 'invalid')
    assert.match(failure?.message ?? '', /customfield_11623: Field 'customfield_11623' cannot be set/)
  })

  it('says a redirect names the URL to use instead of following it', () => {
    const signed = { url: 'http://jira.internal:8080/rest/api/2/issue/CI-1?fields=x', baseUrl: 'http://jira.internal:8080' }
    const failure = diagnose(response(301, { location: 'https://jira.example.com/jira/rest/api/2/issue/CI-1' }), { signed })
    assert.equal(failure?.kind, 'wrong-url')
    assert.match(
      failure?.message ?? '',
      /redirected the request \(HTTP 301\) to https:\/\/jira\.example\.com\/jira\/rest.*set input 'jira-url' to https:\/\/jira\.example\.com\/jira\./
    )
  })

  it('shows an HTML page by its title, never whole', () => {
    const html = '<html><head><title>Log in - SSO\n portal</title></head><body>' + 'x'.repeat(5000) + '</body></html>'
    assert.equal(errorText(response(502, {}, html)), 'an HTML page titled "Log in - SSO portal"')
  })
})

describe('explaining a refusal for the credentials actually sent', () => {
  const sent = (mode: 'oauth' | 'pat' | 'basic' | 'client-credentials', cloud = false) => ({ credentials: { mode, cloud } })
  const absent = response(401, { 'www-authenticate': 'OAuth realm="https%3A%2F%2Fjira.example.com", oauth_problem="parameter_absent"' })

  it('does not call parameter_absent an OAuth signature problem when no OAuth was sent', () => {
    for (const [mode, names] of [
      ['basic', /input 'user' and input 'api-token'/],
      ['pat', /Check input 'personal-access-token': it may have expired or been revoked/],
      ['client-credentials', /input 'client-id' is the credential of the service account/]
    ] as const) {
      const failure = diagnose(absent, sent(mode))
      assert.equal(failure?.kind, 'unauthorized')
      assert.doesNotMatch(failure?.message ?? '', /refused the OAuth signature|For OAuth/, mode)
      assert.match(failure?.message ?? '', /its OAuth filter answered oauth_problem=parameter_absent, as it does for any request it could not authenticate/)
      assert.match(failure?.message ?? '', names, mode)
    }
    // Sent with OAuth, it is an OAuth problem.
    assert.match(diagnose(absent, sent('oauth'))?.message ?? '', /Jira refused the OAuth signature: oauth_problem=parameter_absent/)
  })

  it('explains an anonymous answer for each mode, and OAuth only for OAuth', () => {
    const failed = response(401, { 'x-seraph-loginreason': 'AUTHENTICATED_FAILED' })
    assert.match(diagnose(failed, sent('oauth'))?.message ?? '', /For OAuth, check that the access token was authorized/)
    const basic = diagnose(failed, sent('basic'))?.message ?? ''
    assert.match(basic, /Jira did not accept the user and API token \(basic auth\)/)
    assert.match(basic, /Jira tried them and they failed; a few more failures lock the account behind a CAPTCHA/)
    assert.doesNotMatch(basic, /OAuth/)
    assert.match(diagnose(failed, sent('pat'))?.message ?? '', /Jira did not accept the personal access token.*Data Center or Server 8\.14 or later/)
  })

  it('names the two likely causes of a 401 to an API token on Jira Cloud', () => {
    const message =
      diagnose(response(401, {}, '{"errorMessages":["Client must be authenticated to access this resource."],"errors":{}}'), sent('basic', true))?.message ?? ''
    assert.match(
      message,
      /the token is scoped \(scoped tokens work only through Cloud's API gateway: set input 'api-url' to https:\/\/api\.atlassian\.com\/ex\/jira\/\{cloudId\}/
    )
    assert.match(message, /or it expired: API tokens created since December 2024 expire within a year/)
  })

  it('says basic auth is disabled on a 401 that tried no login, and on the documented 403', () => {
    const bare = diagnose(response(401, { 'www-authenticate': 'OAuth realm="jira"' }), sent('basic'))
    assert.equal(bare?.kind, 'unauthorized')
    assert.match(bare?.message ?? '', /without trying the user and token \(no X-Seraph-LoginReason\).*Basic auth is most likely disabled on this Jira/)
    assert.match(bare?.message ?? '', /Use a personal access token \(input 'personal-access-token', Data Center 8\.14\+\) or a service account/)
    const documented = diagnose(response(403, {}, '{"message": "Basic Authentication has been disabled on this instance."}'), sent('basic'))
    assert.equal(documented?.kind, 'unauthorized')
    assert.match(
      documented?.message ?? '',
      /^Jira has basic authentication disabled: Basic Authentication has been disabled on this instance\. Use a personal access token/
    )
    // The same 401 to a PAT is a refused PAT, not basic auth switched off.
    assert.doesNotMatch(diagnose(response(401), sent('pat'))?.message ?? '', /basic auth/i)
  })

  it('names RateLimit-Reason, its meaning and the time to wait when retries ran out', () => {
    const failure = diagnose(
      response(429, { 'retry-after': '4', 'ratelimit-reason': 'jira-per-issue-on-write', 'x-ratelimit-reset': '2026-12-01T10:00:04Z' }),
      sent('basic', true)
    )
    assert.equal(failure?.kind, 'error')
    assert.match(
      failure?.message ?? '',
      /HTTP 429, RateLimit-Reason jira-per-issue-on-write: writes to one issue came too fast, Retry-After 4, X-RateLimit-Reset 2026-12-01T10:00:04Z\) and retries ran out\. Space out updates of the same issue/
    )
    assert.match(
      diagnose(response(429, { 'ratelimit-reason': 'jira-burst-based' }))?.message ?? '',
      /too many requests in a short burst.*Run fewer updates at once \(input 'concurrency'\)/
    )
  })
})
