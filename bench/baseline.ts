/**
 * The baseline for the cold-process benchmark: the least a Node script can do to set the
 * field. It signs one PUT with OAuth 1.0a RSA-SHA1 using node:crypto alone and sends it with
 * node:http. No validation, no diagnosis, no retries: the floor a real tool is measured
 * against. Reads BASE_URL, ISSUE, BODY, CONSUMER_KEY, ACCESS_TOKEN and PRIVATE_KEY.
 */
import { createPrivateKey, randomBytes, sign } from 'node:crypto'
import { request } from 'node:http'

const env = process.env
const enc = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
const url = `${env.BASE_URL}/rest/api/2/issue/${env.ISSUE}`
const params: Record<string, string> = {
  oauth_consumer_key: env.CONSUMER_KEY ?? '',
  oauth_nonce: randomBytes(16).toString('hex'),
  oauth_signature_method: 'RSA-SHA1',
  oauth_timestamp: String(Math.floor(Date.now() / 1000)),
  oauth_token: env.ACCESS_TOKEN ?? '',
  oauth_version: '1.0'
}
const normalized = Object.keys(params)
  .sort()
  .map(k => `${k}=${enc(params[k])}`)
  .join('&')
const base = `PUT&${enc(url)}&${enc(normalized)}`
params.oauth_signature = sign('sha1', Buffer.from(base), createPrivateKey(env.PRIVATE_KEY ?? '')).toString('base64')
const authorization = `OAuth ${Object.entries(params)
  .map(([k, v]) => `${k}="${enc(v)}"`)
  .join(', ')}`
const body = env.BODY ?? '{}'
const req = request(
  url,
  { method: 'PUT', headers: { Authorization: authorization, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
  res => {
    res.resume()
    res.on('end', () => {
      process.exitCode = res.statusCode === 204 ? 0 : 1
    })
  }
)
req.end(body)
