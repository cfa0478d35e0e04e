/**
 * A Transport on node:http/node:https with a keep-alive agent: the SDK's default over HTTP. Against global
 * fetch it saves the web-stream copies of each body, which dominate the client's CPU when the fluent API ships
 * a million metric points. Same retry rule as fetchTransport: network errors and MLflow's transient statuses,
 * with the shared policy of retry.ts.
 */
import http from 'node:http';
import https from 'node:https';
import type { FetchTransportOptions, HttpResponse, Transport } from './http.js';
import { isRetryableStatus, retryPolicy, withRetries } from './retry.js';

function requestOnce(
  url: URL,
  agent: http.Agent,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
): Promise<HttpResponse> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method, agent, headers: body ? { ...headers, 'content-length': String(body.length) } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function nodeHttpTransport(baseUrl: string, options: FetchTransportOptions = {}): Transport {
  const base = new URL(baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`Expected an http(s) URL, got '${baseUrl}'`);
  const prefix = base.pathname.replace(/\/+$/, '');
  const agent = new (base.protocol === 'https:' ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 16 });
  const policy = retryPolicy(options);
  return async (req) => {
    const url = new URL(base.origin + prefix + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, item);
    }
    const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
    const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers, ...req.headers };
    return withRetries(policy, () => requestOnce(url, agent, req.method, headers, body), {
      retryResult: (res) => isRetryableStatus(res.status),
    });
  };
}
