/**
 * Host header allow-list (MLflow 3.x's `--allowed-hosts`): a browser tricked by DNS rebinding sends the
 * attacker's name as Host, so refusing unknown names keeps a loopback server private to this machine.
 */
import type { FastifyInstance } from 'fastify';

/** Names every server answers to: loopback, with any port. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** The default list: loopback plus the address the server is bound to (a wildcard address is no Host name). */
export function defaultAllowedHosts(boundHost: string): string[] {
  const hosts = [...LOOPBACK_HOSTS];
  if (boundHost === '0.0.0.0' || boundHost === '::' || boundHost === '') return hosts;
  const bound = boundHost.includes(':') && !boundHost.startsWith('[') ? `[${boundHost}]` : boundHost;
  if (!hosts.includes(bound.toLowerCase())) hosts.push(bound.toLowerCase());
  return hosts;
}

/** Splits `name[:port]` (IPv6 in brackets); the name is lower-cased. */
function splitHost(value: string): { name: string; port: string | undefined } {
  const v = value.trim().toLowerCase();
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(v);
  if (!m) return { name: v, port: undefined };
  return { name: m[1] ?? '', port: m[2] || undefined };
}

/**
 * Builds the matcher. An entry is `*` (all), `*.example.com` (any subdomain), or a name with an optional port;
 * a name without a port matches any port.
 */
export function hostMatcher(allowed: readonly string[]): (hostHeader: string | undefined) => boolean {
  if (allowed.includes('*')) return () => true;
  const entries = allowed.map(splitHost);
  return (hostHeader) => {
    if (!hostHeader) return false;
    const { name, port } = splitHost(hostHeader);
    if (name === '') return false;
    return entries.some((e) => {
      if (e.port !== undefined && e.port !== port) return false;
      if (e.name.startsWith('*.')) return name.endsWith(e.name.slice(1));
      return e.name === name;
    });
  };
}

/** Refuses requests whose Host is not allowed with 403 PERMISSION_DENIED (the Host value is never echoed). */
export function installHostCheck(app: FastifyInstance, allowed: readonly string[]): void {
  const isAllowed = hostMatcher(allowed);
  app.addHook('onRequest', async (request, reply) => {
    if (isAllowed(request.headers.host)) return;
    await reply.code(403).type('application/json').send({
      error_code: 'PERMISSION_DENIED',
      message: 'The request Host header is not allowed by this server. Add it with --allowed-hosts (or RUNLOG_ALLOWED_HOSTS).',
    });
  });
}
