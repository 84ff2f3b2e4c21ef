import type { NextFunction, Request, Response } from 'express';
import session from 'express-session';
import type { AppConfig } from '../config/config.js';
import type { Database } from '../db/database.js';
import { DatabaseSessionStore } from './session-store.js';

export function sessionMiddleware(config: AppConfig, db: Database, secret: string, clock: () => Date) {
  return session({
    store: new DatabaseSessionStore(db, config.session.maxAgeMs, clock),
    secret,
    name: config.session.cookieName,
    resave: false,
    saveUninitialized: false,
    proxy: config.trustProxy !== false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.secureCookies, path: '/', maxAge: config.session.maxAgeMs },
  });
}

/** Takes the Actor the session store loaded with the session; a disabled or deleted user's session is dropped. */
export function actorMiddleware() {
  return async (req: Request, _res: Response, next: NextFunction) => {
    if (!req.session?.userId) return next();
    const actor = req.session._actor;
    if (actor) req.actor = actor;
    else await destroySession(req);
    next();
  };
}

export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}

export function destroySession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
}
