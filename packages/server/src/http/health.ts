/**
 * `/health` for load balancers: 200 `OK` when the tracking store answers a ping, 503 TEMPORARILY_UNAVAILABLE
 * when it fails or does not answer in time (a down PostgreSQL can leave a pool connect hanging).
 */
import type { FastifyInstance } from 'fastify';

export const HEALTH_PING_TIMEOUT_MS = 5000;

async function pingWithin(ping: () => Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([ping().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `ping` absent (a store without one, or artifacts-only mode): the process being up is all `/health` says. */
export function registerHealthRoute(app: FastifyInstance, ping: (() => Promise<void>) | undefined): void {
  app.get('/health', async (_req, reply) => {
    if (ping && !(await pingWithin(ping, HEALTH_PING_TIMEOUT_MS))) {
      return reply.code(503).type('application/json').send({
        error_code: 'TEMPORARILY_UNAVAILABLE',
        message: 'The tracking database is not reachable.',
      });
    }
    return reply.type('text/plain; charset=utf-8').send('OK');
  });
}
