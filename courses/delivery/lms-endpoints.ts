import type { Router } from 'express';
import type { AppDeps } from '../../server/app-deps.js';

/**
 * ─── MOUNT POINT: the player's LMS endpoints on the content origin ───────────────────────────────────────────
 *
 * Return a Router here and createContentApp mounts it at `/c/:token/_lms` (so `router.post('/commit', …)` answers
 * `POST <content origin>/c/<token>/_lms/commit`). Until then the whole `_lms` folder answers 404.
 *
 * What the router can rely on, because the content app has already done it before the router runs:
 *  - the launch token was verified (signature, expiry) and the attempt checked (exists, belongs to the token's
 *    user, pinned to the token's version, user active); read it with `launchOf(res)` from ./content-server.js.
 *    Never take a user, attempt or version id from the request: only from launchOf(res).
 *  - the Cookie header has been removed: there is no session here, and must never be. Set no cookies.
 *  - the content security headers are already set (CSP, nosniff, no-referrer); responses are not cached unless
 *    the router says so (set Cache-Control: no-store on API answers).
 *
 * What it must do itself: parse bodies (add `express.json({ limit })` on the router; the content app has no
 * body parser), validate them, and answer errors as plain text or JSON (the content app's error handler answers
 * plain text only). There is no CSRF protection to add: no cookie means no ambient authority, the token in the
 * path is the credential.
 */
export function lmsEndpoints(_deps: AppDeps): Router | null {
  return null;
}
