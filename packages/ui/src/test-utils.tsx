/** Component-test helpers: a QueryClient per test and an in-memory server behind the typed client. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { Run } from '@runlog/core';
import { setFetcher } from './api';

export type Handler = (path: string, query: URLSearchParams, body: Record<string, unknown> | undefined) => unknown;

export interface FakeServer {
  calls: { path: string; query: URLSearchParams; body: Record<string, unknown> | undefined }[];
}

/** Answers `/ajax-api/2.0/mlflow/<path>` with `routes[path]` (an error when it throws `{status, error_code, message}`). */
export function fakeServer(routes: Record<string, Handler>): FakeServer {
  const server: FakeServer = { calls: [] };
  setFetcher((input, init) => Promise.resolve(answer(input, init)));
  return server;

  function answer(input: string, init: RequestInit | undefined): Response {
    const url = new URL(input, 'http://localhost/');
    const path = url.pathname.replace(/^.*\/ajax-api\/2\.0\/mlflow\//, '').replace(/^\/get-artifact$/, 'get-artifact');
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
    server.calls.push({ path, query: url.searchParams, body });
    const h = routes[path];
    if (!h) return new Response(JSON.stringify({ error_code: 'ENDPOINT_NOT_FOUND', message: `no route ${path}` }), { status: 404 });
    try {
      const out = h(path, url.searchParams, body);
      if (typeof out === 'string') return new Response(out, { status: 200 });
      return new Response(JSON.stringify(out ?? {}), { status: 200, headers: { 'content-type': 'application/json' } });
    } catch (err) {
      const e = err as { status?: number; error_code?: string; message?: string };
      return new Response(JSON.stringify({ error_code: e.error_code ?? 'INTERNAL_ERROR', message: e.message ?? 'error' }), { status: e.status ?? 500 });
    }
  }
}

export function renderWithClient(ui: ReactNode): RenderResult {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
}

export function makeRun(i: number, extra: Partial<{ parent: string; metrics: Record<string, number>; params: Record<string, string>; tags: Record<string, string>; experimentId: string }> = {}): Run {
  const id = `run${String(i).padStart(5, '0')}`;
  const tags = { 'mlflow.source.name': 'train.py', ...(extra.tags ?? {}) } as Record<string, string>;
  if (extra.parent) tags['mlflow.parentRunId'] = extra.parent;
  return {
    info: {
      run_id: id,
      run_uuid: id,
      run_name: `run-${i}`,
      experiment_id: extra.experimentId ?? '1',
      user_id: 'alice',
      status: 'FINISHED',
      start_time: 1_700_000_000_000 + i * 1000,
      end_time: 1_700_000_000_000 + i * 1000 + 5000,
      artifact_uri: `mlflow-artifacts:/1/${id}/artifacts`,
      lifecycle_stage: 'active',
    },
    data: {
      metrics: Object.entries(extra.metrics ?? { loss: i / 10 }).map(([key, value]) => ({ key, value, timestamp: 1, step: 0 })),
      params: Object.entries(extra.params ?? { lr: String(i % 3) }).map(([key, value]) => ({ key, value })),
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    },
    inputs: {},
  };
}
