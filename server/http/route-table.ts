import { rm } from 'node:fs/promises';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { match } from 'path-to-regexp';
import type { Action } from '../tenancy/policy.js';
import { canPerform } from '../tenancy/policy.js';
import { httpErrors } from './http.errors.js';

/**
 * Who may reach a route before its handler runs:
 * - 'public': anyone (health checks, sign-in, emailed links);
 * - an Action: a signed-in user whose role the policy allows for that action.
 * Row-level checks (which organisation) happen in services.
 */
export type RouteAccess = 'public' | { action: Action };

export interface RouteSpec {
  method: 'get' | 'post';
  path: string;
  access: RouteAccess;
  /** For multipart uploads: the route's own multer middleware, run after the access check, so a refused caller uploads nothing. */
  upload?: RequestHandler;
  handler: (req: Request, res: Response) => Promise<void> | void;
}

export interface RegisteredRoute {
  method: 'GET' | 'POST';
  path: string;
  access: RouteAccess;
}

/** Every route goes through here, so the table of routes (and their access rule) is data tests can read. */
export class RouteTable {
  private readonly entries: (RegisteredRoute & { multipart: boolean; matches: (path: string) => boolean })[] = [];

  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private csrfCheck: RequestHandler | null = null;

  /**
   * The CSRF check for uploads posted by a plain HTML form (no X-CSRF-Token header): their token is a multipart
   * field, readable only once the route's multer middleware has parsed the body, so the app-wide check defers
   * them (res.locals.csrfDeferred) and the route runs this after the upload; on failure the files are deleted.
   */
  checkDeferredCsrfWith(check: RequestHandler): void {
    this.csrfCheck = check;
  }

  /** Whether the app-wide CSRF check must leave this request to its route (see checkDeferredCsrfWith). */
  defersCsrf(req: Request): boolean {
    return req.method === 'POST' && req.headers['x-csrf-token'] === undefined && Boolean(req.is('multipart/form-data')) && this.acceptsMultipart(req.method, req.path);
  }

  register(router: Router, specs: readonly RouteSpec[]): void {
    for (const spec of specs) {
      const guards = spec.upload ? [accessGuard(spec.access), spec.upload, this.deferredCsrfGuard()] : [accessGuard(spec.access)];
      router[spec.method](spec.path, ...guards, this.tracked(spec.handler));
      const matcher = match(spec.path, { decode: decodeURIComponent });
      this.entries.push({
        method: spec.method.toUpperCase() as 'GET' | 'POST',
        path: spec.path,
        access: spec.access,
        multipart: spec.upload !== undefined,
        matches: (p) => matcher(p) !== false,
      });
    }
  }

  /**
   * Resolves when no handler is running (or after timeoutMs). Shutdown waits for this before closing the
   * database: a handler whose client hung up keeps running after its socket is gone.
   */
  whenIdle(timeoutMs: number): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.idleWaiters.push(() => (clearTimeout(timer), resolve()));
    });
  }

  private deferredCsrfGuard(): RequestHandler {
    return (req, res, next) => {
      if (res.locals.csrfDeferred !== true) return next();
      if (this.csrfCheck === null) return next(new Error('RouteTable: an upload deferred its CSRF check, but no check was given (checkDeferredCsrfWith)'));
      this.csrfCheck(req, res, (err?: unknown) => {
        if (err === undefined) return next();
        void discardUploadedFiles(req).finally(() => next(err));
      });
    };
  }

  private tracked(handler: RouteSpec['handler']): RequestHandler {
    return async (req, res) => {
      this.running++;
      try {
        await handler(req, res);
      } finally {
        if (--this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      }
    };
  }

  get routes(): readonly RegisteredRoute[] {
    return this.entries.map(({ method, path, access }) => ({ method, path, access }));
  }

  /** Whether a route takes multipart uploads; other routes answer 415 to a multipart body. */
  acceptsMultipart(method: string, path: string): boolean {
    return this.entries.some((e) => e.multipart && e.method === method && e.matches(path));
  }

  /** Methods registered for a path; used to answer 405 with an Allow header instead of 404. */
  allowedMethods(path: string): string[] {
    const methods = new Set<string>(this.entries.filter((e) => e.matches(path)).map((e) => e.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods];
  }
}

async function discardUploadedFiles(req: Request): Promise<void> {
  const files = [req.file, ...(Array.isArray(req.files) ? req.files : Object.values(req.files ?? {}).flat())];
  await Promise.all(files.map((file) => (file?.path ? rm(file.path, { force: true }) : undefined)));
}

function accessGuard(access: RouteAccess): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (access === 'public') return next();
    if (!req.actor) return next(httpErrors.notSignedIn());
    if (!canPerform(req.actor, access.action)) return next(httpErrors.forbidden());
    next();
  };
}
