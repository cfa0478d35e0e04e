import type { FastifyInstance } from 'fastify';
import type { Transport } from '@runlog/client';

/** A client Transport that calls the in-process app through Fastify's inject (no sockets). */
export function injectTransport(app: FastifyInstance): Transport {
  return async (req) => {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) {
      for (const item of Array.isArray(v) ? v : [v]) search.append(k, item);
    }
    const qs = search.toString();
    const res = await app.inject({
      method: req.method,
      url: qs ? `${req.path}?${qs}` : req.path,
      headers: { ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}), ...req.headers },
      ...(req.body !== undefined ? { payload: req.body } : {}),
    });
    return { status: res.statusCode, text: res.body };
  };
}
