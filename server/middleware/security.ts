import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Strict headers for every response: scripts and styles only from this
 * server, never inline; no framing, except the chart embeds under /embed/,
 * which any site may frame (frame-ancestors *). HSTS and upgrade-insecure-requests only
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
  const build = (secure: boolean, framed: boolean) =>
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { ...directives, ...(framed ? { frameAncestors: ['*'] } : {}), ...(secure ? { upgradeInsecureRequests: [] } : {}) },
      },
      xFrameOptions: false,
      strictTransportSecurity: secure ? { maxAge: 31536000, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
      // A framed embed is loaded from another site: its scripts and styles must be readable there.
      crossOriginResourcePolicy: { policy: framed ? 'cross-origin' : 'same-origin' },
    });
  const plain = build(false, false);
  const secure = build(true, false);
  const plainFramed = build(false, true);
  const secureFramed = build(true, true);
  return [
    (req, res, next) => {
      const framed = req.path.startsWith('/embed/');
      const handler = req.secure ? (framed ? secureFramed : secure) : framed ? plainFramed : plain;
      handler(req, res, next);
    },
  ];
}
