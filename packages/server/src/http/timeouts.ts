/**
 * Socket and request timeouts (`--headers-timeout`, `--request-timeout`, `--connection-timeout`), so a client
 * that sends slowly (slow-loris) cannot hold a connection, and its memory, forever.
 */
import type { ServerConfig } from '../config.js';

export interface TimeoutOptions {
  /** Whole request (headers + body) must arrive within this; large artifact uploads need it generous. */
  requestTimeout: number;
  /** Socket idle time before it is destroyed. */
  connectionTimeout: number;
  http: { headersTimeout: number; connectionsCheckingInterval: number };
}

export function timeoutOptions(config: Pick<ServerConfig, 'headersTimeoutMs' | 'requestTimeoutMs' | 'connectionTimeoutMs'>): TimeoutOptions {
  return {
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      // Node checks header/request deadlines on this interval (30 s by default), which would let a slow client
      // outlive a short headers timeout by that much.
      connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs),
    },
  };
}
