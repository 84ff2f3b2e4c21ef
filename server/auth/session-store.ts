import session from 'express-session';
import type { Database } from '../db/database.js';
import { deleteSession, findSessionData, touchSession, upsertSession } from './auth.repository.js';

type Callback = (err?: unknown) => void;

/** express-session store on the sessions table, so sessions survive restarts and can be revoked per user. */
export class DatabaseSessionStore extends session.Store {
  constructor(
    private readonly db: Database,
    private readonly maxAgeMs: number,
    private readonly now: () => Date,
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    findSessionData(this.db, sid, this.now()).then((data) => callback(undefined, (data as session.SessionData | null) ?? null), callback);
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    upsertSession(this.db, { sid, userId: data.userId ?? null, data, expiresAt: this.expiryOf(data) }).then(() => callback?.(), (err) => callback?.(err));
  }

  override touch(sid: string, data: session.SessionData, callback?: Callback): void {
    touchSession(this.db, sid, this.expiryOf(data)).then(() => callback?.(), (err) => callback?.(err));
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
    flash?: { kind: 'success' | 'error' | 'info'; message: string }[];
  }
}
