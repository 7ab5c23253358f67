/**
 * Where the core reports progress. The action maps it onto @actions/core (annotations,
 * step debug); the CLI onto stderr.
 */
export interface Log {
  debug(message: string): void
  info(message: string): void
  warning(message: string, title?: string): void
  error(message: string, title?: string): void
}
