/**
 * Security headers for the UI's page and assets. The CSP allows scripts from this origin only: the page's
 * inline boot script (theme before first paint, trailing-slash redirect) is allowed by its SHA-256 hash, so no
 * injected inline script or `eval` can run. Styles may be inline because chart libraries set them at runtime.
 */
import crypto from 'node:crypto';

const INLINE_SCRIPT = /<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi;

/** `'sha256-…'` sources for every inline script in an HTML page. */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(INLINE_SCRIPT)].map(
    (m) => `'sha256-${crypto.createHash('sha256').update(m[1] ?? '', 'utf8').digest('base64')}'`,
  );
}

export function contentSecurityPolicy(page: string): string {
  return [
    "default-src 'self'",
    ["script-src 'self'", ...inlineScriptHashes(page)].join(' '),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers for the UI page (given its HTML, for the script hashes) and its assets. */
export function uiSecurityHeaders(page: string): Readonly<Record<string, string>> {
  return Object.freeze({
    'content-security-policy': contentSecurityPolicy(page),
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  });
}
