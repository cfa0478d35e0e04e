import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunlogError } from '@runlog/core';
import { buildServerConfig } from '../config.js';
import { createTempApp, type TempApp } from '../testing/temp-stores.js';

describe('timeout flags', () => {
  it('default to 60 s headers, 600 s request, 120 s idle, and take seconds', () => {
    expect(buildServerConfig({}, {}, '/w')).toMatchObject({ headersTimeoutMs: 60_000, requestTimeoutMs: 600_000, connectionTimeoutMs: 120_000 });
    const env = { RUNLOG_HEADERS_TIMEOUT: '5', RUNLOG_REQUEST_TIMEOUT: '0' };
    expect(buildServerConfig({ connectionTimeout: '1.5' }, env, '/w')).toMatchObject({
      headersTimeoutMs: 5000,
      requestTimeoutMs: 0,
      connectionTimeoutMs: 1500,
    });
  });

  it('refuses nonsense', () => {
    for (const flags of [{ headersTimeout: '0' }, { requestTimeout: '-1' }, { connectionTimeout: 'x' }, { headersTimeout: '10', requestTimeout: '5' }]) {
      expect(() => buildServerConfig(flags, {}, '/w')).toThrow(RunlogError);
    }
  });
});

describe('slow-loris over a real socket', () => {
  let t: TempApp;
  let port = 0;
  beforeAll(async () => {
    t = await createTempApp({ flags: { headersTimeout: '0.5', requestTimeout: '5' } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('answers a client that sends its headers promptly', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(res.status).toBe(200);
  });

  it('cuts a client that keeps trickling header lines with 408 and closes the socket', async () => {
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // A header line every 50 ms keeps the socket busy (so no idle timeout applies) but never ends the headers.
    let sent = 0;
    const trickle = setInterval(() => {
      if (!socket.destroyed && socket.writable) socket.write(`X-Slow-${sent++}: x\r\n`);
    }, 50);
    try {
      await once(socket, 'close');
    } finally {
      clearInterval(trickle);
    }
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).not.toContain('OK');
  });
});
