// The security headers of every answer: pages get them from src/middleware/security-headers.ts, the
// HTTP layer's own answers (src/server/) from here directly — one list for both.

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "object-src 'none'",
].join('; ');

/** CSP without inline scripts, nosniff, no framing, no powerful features; HSTS when the site is https. */
export function securityHeaders(siteUrl: string): Record<string, string> {
  const h: Record<string, string> = {
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
    'X-Frame-Options': 'DENY',
  };
  if (siteUrl.startsWith('https:')) h['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains';
  return h;
}
