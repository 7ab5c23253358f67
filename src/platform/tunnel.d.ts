/**
 * The part of `tunnel` (CONNECT tunnelling agents, as @actions/http-client uses them) this
 * project calls: it ships no types of its own.
 */
declare module 'tunnel' {
  import type { Agent } from 'node:http'

  export interface ProxyOptions {
    host: string
    port: number
    /** "user:password", sent as Proxy-Authorization: Basic. */
    proxyAuth?: string
  }

  export interface TunnelOptions {
    maxSockets?: number
    proxy: ProxyOptions
    /** For the TLS connection to the target through the tunnel. */
    ca?: string[]
    rejectUnauthorized?: boolean
  }

  export function httpOverHttp(options: TunnelOptions): Agent
  export function httpsOverHttp(options: TunnelOptions): Agent
  export function httpOverHttps(options: TunnelOptions): Agent
  export function httpsOverHttps(options: TunnelOptions): Agent
}
