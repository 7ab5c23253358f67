/**
 * The simplest client that does the same requests as the action for many issues: for each
 * issue a signed GET of the field with its edit metadata, then a signed PUT, CONCURRENCY issues
 * at a time over kept-alive connections, with node:crypto and node:http alone. No validation,
 * no formatting, no diagnosis, no retries. Reads BASE_URL, ISSUES (comma-separated), BODY,
 * CONCURRENCY, CONSUMER_KEY, ACCESS_TOKEN and PRIVATE_KEY.
 */
import { createPrivateKey, randomBytes, sign } from 'node:crypto'
import { Agent, request } from 'node:http'

const env = process.env
const key = createPrivateKey(env.PRIVATE_KEY ?? '')
const agent = new Agent({ keepAlive: true })
const enc = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

function send(method: string, path: string, query: Record<string, string>, body?: string): Promise<number> {
  const url = `${env.BASE_URL}${path}`
  const params: Record<string, string> = {
    ...query,
    oauth_consumer_key: env.CONSUMER_KEY ?? '',
    oauth_nonce: randomBytes(16).toString('hex'),
    oauth_signature_method: 'RSA-SHA1',
    oauth_timestamp: String(Math.floor(Date.now() / 1000)),
    oauth_token: env.ACCESS_TOKEN ?? '',
    oauth_version: '1.0'
  }
  const normalized = Object.keys(params)
    .sort()
    .map(k => `${enc(k)}=${enc(params[k])}`)
    .join('&')
  const signature = sign('sha1', Buffer.from(`${method}&${enc(url)}&${enc(normalized)}`), key).toString('base64')
  const header = Object.entries({ ...params, oauth_signature: signature })
    .filter(([k]) => k.startsWith('oauth_'))
    .map(([k, v]) => `${k}="${enc(v)}"`)
    .join(', ')
  const search = Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : ''
  const headers: Record<string, string | number> = { Authorization: `OAuth ${header}` }
  if (body !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) })
  return new Promise((resolve, reject) => {
    const req = request(`${url}${search}`, { method, headers, agent }, res => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const issues = (env.ISSUES ?? '').split(',')
let next = 0
let failures = 0
const worker = async (): Promise<void> => {
  while (next < issues.length) {
    const issue = issues[next++]
    const path = `/rest/api/2/issue/${issue}`
    if ((await send('GET', path, { fields: 'customfield_10314', expand: 'editmeta' })) !== 200) failures++
    if ((await send('PUT', path, {}, env.BODY)) !== 204) failures++
  }
}
await Promise.all(Array.from({ length: Number(env.CONCURRENCY ?? 1) }, worker))
agent.destroy()
process.exitCode = failures === 0 ? 0 : 1
