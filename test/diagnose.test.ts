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

  it('reads oauth_problem from a form body and keeps the base string for debug, token redacted', () => {
    const body = 'oauth_problem=signature_invalid&oauth_signature_base_string=GET%26https%253A%252F%252Fj%26oauth_token%253Dsecrettoken%2526x'
    const failure = diagnose(response(401, {}, body))
    assert.equal(failure?.details.oauthProblem, 'signature_invalid')
    assert.match(failure?.details.debug ?? '', /oauth_token%3D\*\*\*/)
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
      /redirected the request \(HTTP 301\) to https:\/\/jira\.example\.com\/jira\/rest.*set the jira-url input to https:\/\/jira\.example\.com\/jira\./
    )
  })

  it('shows an HTML page by its title, never whole', () => {
    const html = '<html><head><title>Log in - SSO\n portal</title></head><body>' + 'x'.repeat(5000) + '</body></html>'
    assert.equal(errorText(response(502, {}, html)), 'an HTML page titled "Log in - SSO portal"')
  })
})
