/**
 * Cross-site request refusal: a state-changing request (anything but GET, HEAD, OPTIONS) or a
 * collaboration socket upgrade must come from this site. Browsers say where a request comes from
 * in `Sec-Fetch-Site` (and `Origin`); clients that send neither (curl, scripts) carry no ambient
 * cookie a forged page could use, so they pass.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { MaskroomError } from '@maskroom/shared';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why a request with these headers is cross-site, or null when it is not. */
export function crossSiteReason(headers: IncomingHttpHeaders): string | null {
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site: ${site}`;
  const origin = headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return 'a malformed Origin';
    }
    if (host !== headers.host) return `Origin ${origin}`;
  } else if (origin === 'null') {
    return 'Origin null';
  }
  return null;
}

export const refuseCrossSite: RequestHandler = (req, _res, next) => {
  if (SAFE_METHODS.has(req.method)) return next();
  const why = crossSiteReason(req.headers);
  if (why) return next(new MaskroomError('FORBIDDEN', `cross-site request refused (${why})`));
  next();
};
