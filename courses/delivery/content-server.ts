import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { contentTypeFor } from '../scorm/content-type.js';
import { pipeline } from 'node:stream/promises';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler, type Response } from 'express';
import type { AppDeps } from '../../server/app-deps.js';
import type { AppConfig } from '../../server/config/config.js';
import type { Logger } from '../../server/logging/logger.js';
import type { StoredObjectBody, StoredObjectInfo } from '../../server/storage/storage.js';
import { isAppError } from '../../server/http/app-error.js';
import { isDatabaseUnavailable } from '../../server/db/db.errors.js';
import { deriveLaunchTokenKey, verifyLaunchToken } from './launch-token.js';
import { launchGrantFinder, type LaunchGrant } from './content.repository.js';
import { lmsEndpoints } from './lms-endpoints.js';

/**
 * The content origin: serves the files of SCORM packages, which are third-party JavaScript, and nothing else.
 * It is a separate Express app on its own origin (in development a second port of the same process), so a
 * package can never read the app's pages, cookies or storage.
 *
 *   GET|HEAD /c/<launch token>/<path inside the package>   a package file
 *   *        /c/<launch token>/_lms/...                    the player's LMS endpoints (see ./lms-endpoints.ts)
 *   anything else                                          404
 *
 * No session, no cookies (the Cookie header is dropped on arrival), no CSRF, no body parsers: access is the
 * launch token in the path, checked against the database on every request.
 */

/** The folder inside every launch reserved for the player's LMS endpoints; a package's own `_lms/` folder is not served. */
export const LMS_SEGMENT = '_lms';

/** What the token in the URL grants; set by the token check before the file handler and the LMS router run. */
export interface ActiveLaunch extends LaunchGrant {
  expiresAt: Date;
}

/** The launch the current request is running under. Only valid behind the token check (file handler, LMS router). */
export function launchOf(res: Response): ActiveLaunch {
  const launch = res.locals.launch as ActiveLaunch | undefined;
  if (!launch) throw new Error('launchOf: no verified launch on this request (the route is not behind the launch token check)');
  return launch;
}

/**
 * Cache policy for package files, explained:
 *
 * Files under a version's storage prefix never change (a new upload is a new version with a new prefix), so the
 * bytes are perfectly cacheable. The URL is not: it contains the launch token, which is different for every
 * learner and every launch and expires. So:
 *  - `Cache-Control: private, max-age=<seconds the token has left>, immutable`. The learner's browser keeps each
 *    file for the rest of the launch (packages re-request the same slides, audio and scripts a lot) and never
 *    revalidates it; shared caches (proxies, a CDN honouring the header) must not store it. A shared cache keyed
 *    on the full URL would get no hits anyway (one URL per launch) and would keep answering the URL after the
 *    token expired or the account was disabled, i.e. it would bypass the check done here.
 *  - ETag and Last-Modified are sent (free: size and mtime from storage), so conditional requests get 304.
 *  - To cache at a CDN, the edge has to do what this server does: verify the token (HMAC with the derived key and
 *    the expiry; it cannot do the attempt/user lookup, so revocation would then only take effect at expiry),
 *    then fetch from the origin with a cache key of `<version id>/<path>` with the token stripped, and answer the
 *    learner with this same private header. Such an edge can cache those version-keyed objects for ever.
 *  - Refusals and 404s are `no-store`.
 */
function cacheControlFor(launch: ActiveLaunch, now: Date): string {
  const secondsLeft = Math.max(0, Math.floor((launch.expiresAt.getTime() - now.getTime()) / 1000));
  return `private, max-age=${secondsLeft}, immutable`;
}

export function createContentApp(deps: AppDeps): Express {
  const { config, database, clock } = deps;
  const logger = deps.logger.child({ server: 'content' });
  const key = deriveLaunchTokenKey(deps.sessionSecret);
  const app = express();

  app.disable('x-powered-by');
  // Our own ETag from storage metadata; Express' would hash bodies we stream.
  app.disable('etag');
  app.set('trust proxy', config.trustProxy);

  app.use(accessLog(logger));
  app.use(dropCookies);
  app.use(contentSecurityHeaders(config));

  // The token check for everything under /c/<token>/: files and the LMS endpoints alike.
  const launchRoutes = express.Router({ mergeParams: true });
  const findLaunchGrant = launchGrantFinder(database.db);
  launchRoutes.use(async (req, res, next) => {
    const claims = verifyLaunchToken(String(req.params.token ?? ''), key, clock());
    const grant = claims && (await findLaunchGrant(claims));
    if (!claims || !grant) return refuse(res);
    res.locals.launch = { ...grant, expiresAt: claims.expiresAt } satisfies ActiveLaunch;
    next();
  });

  // ─── LMS endpoints of the player: mounted here, implemented in ./lms-endpoints.ts ───
  const lms = lmsEndpoints(deps);
  if (lms) launchRoutes.use(`/${LMS_SEGMENT}`, lms);
  launchRoutes.use(`/${LMS_SEGMENT}`, (_req, res) => notFound(res));

  launchRoutes.use(packageFiles(deps, logger));

  app.use('/c/:token', launchRoutes);
  app.use((_req, res) => notFound(res));
  app.use(contentErrorHandler(logger));
  return app;
}

/** Streams one package file, with the content type from its extension, byte ranges and validators. */
function packageFiles({ storage, clock }: AppDeps, logger: Logger): RequestHandler {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return notFound(res);
    const launch = launchOf(res);
    const relative = packagePath(req.path);
    if (relative === null) return notFound(res);
    const key = withTrailingSlash(launch.storagePrefix) + relative;

    const rangeHeader = req.headers.range;
    let info: StoredObjectInfo | null = null;
    let object: StoredObjectBody | null = null;
    try {
      // Ranges need the size first (suffix ranges, 416), and HEAD needs nothing else; a plain GET reads at once.
      if (req.method === 'HEAD' || rangeHeader !== undefined) info = await storage.head(key);
      else object = await storage.get(key);
    } catch (err) {
      if (isAppError(err) && err.code === 'storage.invalid_key') return notFound(res);
      throw err;
    }
    const meta = object ?? info;
    if (!meta) return notFound(res);

    const etag = `"${meta.size.toString(36)}-${meta.lastModified.getTime().toString(36)}"`;
    res.status(200);
    res.setHeader('Content-Type', contentTypeFor(relative));
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', meta.lastModified.toUTCString());
    res.setHeader('Cache-Control', cacheControlFor(launch, clock()));

    if (req.fresh) {
      object?.body.destroy();
      res.removeHeader('Content-Type');
      res.status(304).end();
      return;
    }

    if (!object && req.method === 'GET') {
      // A Range request: serve one range, 416 when none of it exists, the whole file when the range is
      // malformed, stale (If-Range), or several ranges (no multipart/byteranges here; the RFC allows ignoring Range).
      const ranges = ifRangeHolds(req, etag, meta.lastModified) ? req.range(meta.size, { combine: true }) : undefined;
      if (ranges === -1) return rangeNotSatisfiable(res, meta.size);
      const range = Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1 ? ranges[0] : undefined;
      try {
        object = await storage.get(key, range ? { range: { start: range.start, end: range.end } } : {});
      } catch (err) {
        if (isAppError(err) && err.code === 'storage.range_not_satisfiable') return rangeNotSatisfiable(res, Number(err.details?.size ?? meta.size));
        throw err;
      }
      if (!object) return notFound(res);
      if (range) {
        res.status(206);
        res.setHeader('Content-Range', `bytes ${object.start}-${object.end}/${object.size}`);
      }
    }

    if (req.method === 'HEAD' || !object) {
      res.setHeader('Content-Length', String(meta.size));
      res.end();
      return;
    }
    res.setHeader('Content-Length', String(Math.max(0, object.end - object.start + 1)));
    try {
      await pipeline(object.body, res);
    } catch (err) {
      // A learner closing the tab mid-video is normal; anything else is a storage failure mid-stream.
      if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') logger.warn({ err, storageKey: key }, 'package file stream failed');
    }
  };
}

/**
 * The package-relative path a request asks for, or null when it is not a plain path inside the package.
 * Each segment is percent-decoded exactly once (as the browser encoded it) and must then be a real name:
 * not empty, not "." or "..", no slash, backslash, NUL or other control character. Anything that could
 * climb out of the package (`..%2f`, `%2e%2e`, `%5c`) is refused; double-encoded input stays a literal name
 * ("%2e%2e") that, at worst, does not exist under the prefix.
 */
export function packagePath(requestPath: string): string | null {
  if (!requestPath.startsWith('/')) return null;
  const names: string[] = [];
  for (const raw of requestPath.slice(1).split('/')) {
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (name === '' || name === '.' || name === '..' || /[/\\\u0000-\u001f\u007f]/.test(name)) return null;
    names.push(name);
  }
  return names.length ? names.join('/') : null;
}



/**
 * Headers on every content-origin response. The CSP lets a package do what authoring tools need (their own
 * scripts, inline scripts and styles, eval for older tools, blob:/data: media, frames of their own pages) while
 * keeping it on this origin: nothing loads from or posts to elsewhere, and only the app (the player page) or this
 * origin itself (the LMS wrapper framing a SCO, a package framing its own pages) may frame it.
 */
function contentSecurityHeaders(config: AppConfig): RequestHandler {
  const appOrigin = new URL(config.appUrl).origin;
  const csp = [
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'self'",
    "form-action 'self'",
    "base-uri 'self'",
    `frame-ancestors 'self' ${appOrigin}`,
  ].join('; ');
  const hsts = config.content.origin.startsWith('https://');
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // The token is in every URL: never hand it to another site in a Referer.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    if (hsts) res.setHeader('Strict-Transport-Security', 'max-age=15552000');
    next();
  };
}

/** The content origin has no session: whatever cookies the browser sends (same host in development) are dropped unread. */
const dropCookies: RequestHandler = (req, _res, next) => {
  delete req.headers.cookie;
  next();
};

/** The If-Range validator still matches (or there is none): only then may a range be served. */
function ifRangeHolds(req: Request, etag: string, lastModified: Date): boolean {
  const ifRange = req.get('If-Range');
  if (!ifRange) return true;
  if (ifRange.startsWith('"') || ifRange.startsWith('W/')) return ifRange === etag;
  const date = Date.parse(ifRange);
  return !Number.isNaN(date) && Math.floor(lastModified.getTime() / 1000) * 1000 <= date;
}

function withTrailingSlash(prefix: string): string {
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

function plain(res: Response, status: number, message: string, headers: Record<string, string> = {}): void {
  for (const name of ['Content-Range', 'ETag', 'Last-Modified', 'Accept-Ranges']) res.removeHeader(name);
  res.status(status);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(`${message}\n`);
}

/** Invalid, expired or revoked token: one message whatever the reason, and nothing about the package. */
function refuse(res: Response): void {
  plain(res, 403, 'This course link is not valid or has expired. Open the course again from Partner Academy.');
}

function notFound(res: Response): void {
  plain(res, 404, 'Not found.');
}

function rangeNotSatisfiable(res: Response, size: number): void {
  plain(res, 416, 'Requested range not satisfiable.', { 'Content-Range': `bytes */${size}`, 'Accept-Ranges': 'bytes' });
}

function contentErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return plain(res, status === 404 ? 404 : 400, status === 404 ? 'Not found.' : 'Bad request.');
    if (isDatabaseUnavailable(err) || (isAppError(err) && err.status === 503)) {
      res.setHeader('Retry-After', '5');
      return plain(res, 503, 'Course content is temporarily unavailable. Please try again in a moment.');
    }
    const errorId = String(res.getHeader('X-Request-Id') ?? '');
    logger.error({ err, errorId, path: redactToken(req.originalUrl) }, 'content request failed');
    plain(res, 500, `Something went wrong serving this course (error id ${errorId}).`);
  };
}

/** Access log with the token cut out of the URL: it is a credential for the rest of the launch. */
function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const id = randomUUID().slice(0, 8);
    res.setHeader('X-Request-Id', id);
    if (!logger.isLevelEnabled('info')) return next();
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
      logger[level]({ reqId: id, method: req.method, path: redactToken(req.originalUrl), status: res.statusCode, ms: Math.round(ms) }, 'content request');
    });
    next();
  };
}

export function redactToken(url: string): string {
  return url.split('?')[0]!.replace(/^\/c\/[^/]*/, '/c/[token]');
}

export { contentTypeFor };
