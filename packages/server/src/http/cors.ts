/**
 * CORS (`--cors-allowed-origins`): off by default, so browsers on other origins cannot read responses. Only
 * origins the operator listed are ever named in Access-Control-Allow-Origin; an unlisted origin gets no allow
 * headers at all, preflight included.
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

export async function installCors(app: FastifyInstance, allowedOrigins: readonly string[]): Promise<void> {
  if (allowedOrigins.length === 0) return;
  const anyOrigin = allowedOrigins.includes('*');
  const listed = new Set(allowedOrigins);
  await app.register(cors, {
    // `*` sends the literal `*` (never the caller's Origin); otherwise the matching listed origin or nothing.
    origin: anyOrigin ? '*' : (origin, cb) => cb(null, origin !== undefined && listed.has(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    credentials: false,
    maxAge: 600,
  });
}
