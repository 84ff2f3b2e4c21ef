import type { AppConfig } from './config/config.js';
import type { DatabaseHandle } from './db/database.js';
import type { Storage } from './storage/storage.js';
import type { Mailer } from './mail/mailer.js';
import type { Logger } from './logging/logger.js';
import type { RenderPool } from '../assets/render/render-pool.js';
import type { SearchEngine } from '../search/search.types.js';

/** Everything createApp needs, built once in main.ts (or by a test) and passed down; nothing is created at import time. */
export interface AppDeps {
  readonly config: AppConfig;
  readonly database: DatabaseHandle;
  readonly storage: Storage;
  readonly mailer: Mailer;
  readonly logger: Logger;
  /** Worker threads for previews and co-branded renders (time-limited, bounded); closed at shutdown. */
  readonly renderPool: RenderPool;
  /** Assets and courses together: PostgreSQL full-text search, or Meilisearch when MEILI_URL is set; closed at shutdown. */
  readonly search: SearchEngine;
  /** Injected so expiry can be tested without waiting. */
  readonly clock: () => Date;
  /** From SESSION_SECRET, or generated once and kept in DATA_DIR in development. */
  readonly sessionSecret: string;
}
