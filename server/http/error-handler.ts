import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from '../logging/logger.js';
import { AppError, isAppError } from './app-error.js';
import { httpErrors } from './http.errors.js';
import { dbErrors, isDatabaseUnavailable } from '../db/db.errors.js';
import type { RouteTable } from './route-table.js';

function wantsJson(req: Request): boolean {
  if (req.is('application/json')) return true;
  return req.accepts(['html', 'json']) === 'json';
}

/** Turns what Express, body parsers, csrf-sync and the database throw into our AppErrors. */
function normalise(err: unknown, limit: number): AppError | null {
  if (isAppError(err)) return err;
  const e = err as { type?: string; code?: string; status?: number; message?: string };
  if (e?.type === 'entity.too.large') return httpErrors.bodyTooLarge(limit);
  if (e?.type === 'entity.parse.failed') return httpErrors.malformedBody(e.message ?? 'invalid syntax');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return httpErrors.malformedBody(e.message ?? 'unsupported encoding');
  if (e?.code === 'EBADCSRFTOKEN') return httpErrors.csrfInvalid();
  if ((err as Error)?.name === 'MulterError') return httpErrors.uploadRefused(e.code ?? '', (err as { field?: string }).field);
  if (isDatabaseUnavailable(err)) return dbErrors.unavailable();
  return null;
}

/**
 * 405 (with Allow) for a known path asked with a method it does not have. Runs before body parsing and
 * CSRF, so a DELETE on a form page is told what is wrong instead of "invalid CSRF token".
 */
export function methodNotAllowedHandler(routes: RouteTable): RequestHandler {
  return (req, res, next) => {
    const allowed = routes.allowedMethods(req.path);
    if (allowed.length && !allowed.includes(req.method)) {
      res.setHeader('Allow', allowed.join(', '));
      return next(httpErrors.methodNotAllowed(req.method, allowed));
    }
    next();
  };
}

export function notFoundHandler(): RequestHandler {
  return (_req, _res, next) => next(httpErrors.notFound());
}

/** The one error renderer: known errors show their message, unknown ones are logged and shown only by id. */
export function errorHandler(logger: Logger, bodyLimit: number): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = normalise(err, bodyLimit);
    const errorId = String(req.id ?? '');
    const appError = known ?? new AppError('internal', 500, 'Something went wrong on our side. It has been logged; if it keeps happening, quote the error id to support.');
    if (!known) logger.error({ err, errorId, path: req.path, method: req.method }, 'unhandled error');
    else if (appError.status >= 500) logger.warn({ code: appError.code, errorId, path: req.path }, appError.message);

    if (res.headersSent) return void res.end();
    if (appError.code === 'auth.too_many_attempts') res.setHeader('Retry-After', String(Math.ceil(Number(appError.details?.retryAfterSeconds ?? 60))));
    if (appError.status === 503) res.setHeader('Retry-After', '5');
    res.status(appError.status);
    if (wantsJson(req)) {
      res.json({ error: { code: appError.code, message: appError.message, ...(appError.details?.fields ? { fields: appError.details.fields } : {}), ...(known ? {} : { errorId }) } });
      return;
    }
    // Signed-out visitors of a page are sent to sign in, and brought back afterwards.
    if (appError.code === 'auth.not_signed_in' && req.method === 'GET') {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    res.render('pages/error', {
      title: titleFor(appError.status),
      status: appError.status,
      message: appError.message,
      code: appError.code,
      errorId: known ? undefined : errorId,
    }, (renderErr, html) => {
      // If even the error page cannot render (e.g. the database is down while building the shell), answer in plain text.
      if (renderErr) res.type('text/plain').send(`${appError.status} ${appError.message}${known ? '' : ` (error id ${errorId})`}`);
      else res.send(html);
    });
  };
}

function titleFor(status: number): string {
  return (
    ({ 400: 'Please check your input', 401: 'Please sign in', 403: 'Not allowed', 404: 'Not found', 405: 'Method not allowed', 409: 'Conflict', 410: 'Link no longer valid', 413: 'Too large', 415: 'Unsupported content', 429: 'Too many attempts', 503: 'Temporarily unavailable' } as Record<number, string>)[status] ??
    (status >= 500 ? 'Something went wrong' : 'Request not accepted')
  );
}
