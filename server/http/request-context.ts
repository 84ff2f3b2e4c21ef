import type { Actor } from '../tenancy/actor.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The signed-in caller, set by the session middleware; undefined for anonymous requests. */
      actor?: Actor;
      /** Set by pino-http; shown to the user when an unknown error happens. */
      id: string | number | object;
    }
  }
}

export {};
