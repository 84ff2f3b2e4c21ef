import type { NextFunction, Request, Response } from 'express';

/**
 * express-session flushes a response's headers before its own save finishes, so a browser following a 303 could
 * load the session before a flash message (or any other change) was written: seen with the pooled PostgreSQL
 * driver. Every redirect therefore waits for the session to be saved first.
 */
export function saveSessionBeforeRedirect(req: Request, res: Response, next: NextFunction): void {
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    if (!req.session) return redirect(...args);
    req.session.save((err) => (err ? next(err) : redirect(...args)));
  }) as Response['redirect'];
  next();
}
