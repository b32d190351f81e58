import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Strict headers for every response: scripts and styles only from this
 * server, never inline; no framing. HSTS and upgrade-insecure-requests only
 * on HTTPS requests, since on a plain-HTTP intranet install they break the site.
 * No X-Frame-Options: the CSP's frame-ancestors says it, and helmet's
 * SAMEORIGIN default would contradict its 'none'.
 */
export function securityHeaders(): RequestHandler[] {
  const directives = {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    scriptSrcAttr: ["'none'"],
  };
  const plain = helmet({
    contentSecurityPolicy: { useDefaults: false, directives },
    xFrameOptions: false,
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  });
  const secure = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { ...directives, upgradeInsecureRequests: [] } },
    xFrameOptions: false,
    strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  });
  return [(req, res, next) => (req.secure ? secure(req, res, next) : plain(req, res, next))];
}
