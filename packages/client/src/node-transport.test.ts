import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callEndpoint } from './http.js';
import { nodeHttpTransport } from './node-transport.js';
import { tracking as api } from '@runlog/core';

describe('nodeHttpTransport', () => {
  const seen: { path: string; auth: string | undefined }[] = [];
  let failuresLeft = 0;
  let server: http.Server;
  let base = '';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization });
      req.resume();
      req.on('end', () => {
        if (req.url?.includes('flaky') && failuresLeft-- > 0) {
          res.writeHead(503).end('busy');
        } else if (req.url?.includes('bad')) {
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"error_code":"INVALID_PARAMETER_VALUE","message":"no"}');
        } else {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"experiment":{"experiment_id":"7","name":"x"}}');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('retries transient statuses, then answers; sends headers, query and the URI prefix', async () => {
    failuresLeft = 2;
    seen.length = 0;
    const transport = nodeHttpTransport(base, { backoffMs: 1, headers: { authorization: 'Bearer t' } });
    const res = await transport({ method: 'GET', path: '/flaky', query: { a: ['1', '2'] } });
    expect(res.status).toBe(200);
    expect(seen).toEqual(Array.from({ length: 3 }, () => ({ path: '/prefix/flaky?a=1&a=2', auth: 'Bearer t' })));
  });

  it('gives up after maxRetries with the last transient status', async () => {
    failuresLeft = 10;
    seen.length = 0;
    const res = await nodeHttpTransport(base, { backoffMs: 1, maxRetries: 2 })({ method: 'GET', path: '/flaky' });
    expect(res.status).toBe(503);
    expect(seen).toHaveLength(3);
  });

  it('does not retry a client error, which surfaces as a RunlogError with the MLflow code', async () => {
    seen.length = 0;
    const transport = nodeHttpTransport(`${base}/bad`, { backoffMs: 1 });
    await expect(callEndpoint(transport, api.getExperiment, { experiment_id: '1' })).rejects.toMatchObject({
      errorCode: 'INVALID_PARAMETER_VALUE',
    });
    expect(seen).toHaveLength(1);
    const ok = await callEndpoint(nodeHttpTransport(base), api.getExperiment, { experiment_id: '7' });
    expect(ok.experiment.experiment_id).toBe('7');
  });
});
