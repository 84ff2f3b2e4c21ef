import type { NextFunction, Request, Response } from 'express';
import session from 'express-session';
import type { AppConfig } from '../config/config.js';
import type { Database } from '../db/database.js';
import { DatabaseSessionStore } from './session-store.js';
import { findActiveActor } from '../users/users.repository.js';

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

/** Resolves the session's user to an Actor; a disabled or deleted user's session is dropped. */
export function actorMiddleware(db: Database) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const userId = req.session?.userId;
    if (!userId) return next();
    const actor = await findActiveActor(db, userId);
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
