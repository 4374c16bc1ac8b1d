/** The login cookie: `HttpOnly; SameSite=Lax; Path=/`, `Secure` over HTTPS, no `Domain`. */
import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'maskroom_session';
const MAX_AGE_SEC = 30 * 24 * 3600;

export function readSessionCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function attributes(req: Request, maxAgeSec: number): string {
  // `req.secure` honours X-Forwarded-Proto from a trusted (loopback) proxy only.
  return `Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSec}${req.secure ? '; Secure' : ''}`;
}

export function setSessionCookie(req: Request, res: Response, token: string): void {
  res.append('Set-Cookie', `${SESSION_COOKIE}=${token}; ${attributes(req, MAX_AGE_SEC)}`);
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.append('Set-Cookie', `${SESSION_COOKIE}=; ${attributes(req, 0)}`);
}
