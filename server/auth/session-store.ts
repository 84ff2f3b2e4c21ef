import session from 'express-session';
import type { Database } from '../db/database.js';
import { deleteSession, findSessionWithActor, upsertSession } from './auth.repository.js';
import type { Actor } from '../tenancy/actor.js';

type Callback = (err?: unknown) => void;

/**
 * express-session store on the sessions table, so sessions survive restarts and can be revoked per user.
 * Sessions have an absolute lifetime (SESSION_MAX_AGE_HOURS from sign-in): there is no touch, so a page
 * view never writes. get() also loads the signed-in user in the same query and hands it over as
 * `_actor`, which set() strips again so it is never stored.
 */
export class DatabaseSessionStore extends session.Store {
  constructor(
    private readonly db: Database,
    private readonly maxAgeMs: number,
    private readonly now: () => Date,
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    findSessionWithActor(this.db, sid, this.now()).then(
      (found) => callback(undefined, found ? { ...(found.data as session.SessionData), _actor: found.actor } : null),
      callback,
    );
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    const { _actor, ...stored } = data;
    upsertSession(this.db, { sid, userId: stored.userId ?? null, data: stored, expiresAt: this.expiryOf(data) }).then(() => callback?.(), (err) => callback?.(err));
  }

  override destroy(sid: string, callback?: Callback): void {
    deleteSession(this.db, sid).then(() => callback?.(), (err) => callback?.(err));
  }

  private expiryOf(data: session.SessionData): Date {
    const expires = data.cookie?.expires;
    return expires ? new Date(expires) : new Date(this.now().getTime() + this.maxAgeMs);
  }
}

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    /** Filled by DatabaseSessionStore.get from the users table on every load; never persisted. */
    _actor?: Actor | null;
    flash?: { kind: 'success' | 'error' | 'info'; message: string }[];
  }
}
