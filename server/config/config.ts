import { z } from 'zod';
import path from 'node:path';

/** Thrown when the environment cannot make a valid configuration; main.ts prints it and exits. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce.number({ message: 'expected a whole number' }).int('expected a whole number').positive('expected a number above 0');

const byteSize = z
  .string()
  .regex(/^\d+(b|kb|mb|gb)?$/i, 'expected a size such as 100kb or 10mb')
  .transform((v) => {
    const m = /^(\d+)(b|kb|mb|gb)?$/i.exec(v)!;
    const unit = (m[2] ?? 'b').toLowerCase();
    const mult = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[unit as 'b' | 'kb' | 'mb' | 'gb'];
    return Number(m[1]) * mult;
  });

const postgresUrl = z
  .string()
  .url('expected a URL such as postgres://user:password@localhost:5432/partner_academy')
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'expected a postgres:// or postgresql:// URL');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number({ message: 'expected a port number' }).int().min(0).max(65535, 'expected a port number from 0 to 65535').default(3000),
  HOST: z.string().min(1).optional(),
  APP_URL: z.string().url('expected the public URL of the app, such as https://academy.example.com').optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: positiveInt.default(10),
  SESSION_SECRET: z.string().min(32, 'expected at least 32 characters of random text').optional(),
  SESSION_MAX_AGE_HOURS: positiveInt.default(12),
  TRUST_PROXY: z.string().optional(),
  BODY_LIMIT: byteSize.default(100 * 1024),
  VIEW_CACHE: booleanString.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  S3_BUCKET: z.string().min(3).optional(),
  S3_ENDPOINT: z.string().url('expected the S3 endpoint URL, such as http://localhost:9000').optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_FORCE_PATH_STYLE: booleanString.default(false),
  S3_PREFIX: z.string().default(''),
  SMTP_URL: z.string().url('expected an SMTP URL such as smtps://user:password@smtp.example.com:465').optional(),
  MAIL_FROM: z.string().min(3).default('Partner Academy <no-reply@partner-academy.local>'),
  SEED_ON_EMPTY: booleanString.default(true),
  SEED_PASSWORD: z.string().min(10, 'expected at least 10 characters').optional(),
  INVITATION_TTL_HOURS: positiveInt.default(72),
  PASSWORD_RESET_TTL_MINUTES: positiveInt.default(60),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt.default(5),
  LOGIN_MAX_FAILURES_PER_IP: positiveInt.default(30),
  LOGIN_LOCKOUT_MINUTES: positiveInt.default(15),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10000),
  CONTENT_ORIGIN: z.string().url('expected the public origin of course content, such as https://content.academy.example.com').optional(),
  CONTENT_PORT: z.coerce.number({ message: 'expected a port number' }).int().min(0).max(65535, 'expected a port number from 0 to 65535').optional(),
  LAUNCH_TOKEN_TTL_MINUTES: positiveInt.default(240),
  SCORM_MAX_UPLOAD: byteSize.default(1024 ** 3),
  SCORM_MAX_ENTRIES: positiveInt.default(20_000),
  SCORM_MAX_UNCOMPRESSED: byteSize.default(2 * 1024 ** 3),
  SCORM_MAX_COMPRESSION_RATIO: positiveInt.default(200),
  SCORM_EXTRACT_CONCURRENCY: positiveInt.max(32, 'expected at most 32').default(4),
  SCORM12_SUSPEND_DATA_MAX: positiveInt.default(4096),
  ASSET_MAX_UPLOAD: byteSize.default(500 * 1024 ** 2),
  LOGO_MAX_UPLOAD: byteSize.default(5 * 1024 ** 2),
  RENDER_CONCURRENCY: positiveInt.max(16, 'expected at most 16').default(2),
  RENDER_TIMEOUT_MS: positiveInt.default(30_000),
  MEILI_URL: z.string().url('expected the Meilisearch URL, such as http://127.0.0.1:7700').optional(),
  MEILI_KEY: z.string().min(1).optional(),
  MEILI_INDEX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, - or _').default('partner_academy'),
  SEARCH_SYNC_INTERVAL_MS: positiveInt.default(1000),
  SEARCH_CACHE_TTL_MS: z.coerce.number({ message: 'expected milliseconds (0 turns the cache off)' }).int().min(0).max(60_000, 'expected at most 60000').default(5000),
  PATH_REMINDER_DAYS_BEFORE: positiveInt.max(365, 'expected at most 365').default(7),
  PATH_REMINDER_INTERVAL_HOURS: positiveInt.default(72),
  ANALYTICS_CACHE_TTL_MS: z.coerce.number({ message: 'expected milliseconds (0 turns the cache off)' }).int().min(0).max(600_000, 'expected at most 600000').default(30_000),
});

export type AppConfig = Readonly<{
  env: 'development' | 'production' | 'test';
  port: number;
  host: string | undefined;
  appUrl: string;
  /** Cookies get Secure and the __Host- prefix only when the app is served over HTTPS. */
  secureCookies: boolean;
  dataDir: string;
  database: Readonly<{ kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string; poolMax: number }>;
  session: Readonly<{ secret: string | undefined; maxAgeMs: number; cookieName: string }>;
  trustProxy: boolean | number | string;
  bodyLimit: number;
  /** Compiled templates kept in memory; `npm run dev` turns it off so template edits show on reload. */
  viewCache: boolean;
  logLevel: string;
  storage: Readonly<
    | { kind: 'local'; root: string }
    | { kind: 's3'; bucket: string; endpoint: string | undefined; region: string; forcePathStyle: boolean; prefix: string }
  >;
  mail: Readonly<{ kind: 'smtp'; url: string; from: string } | { kind: 'files'; dir: string; from: string }>;
  seed: Readonly<{ onEmpty: boolean; password: string | undefined }>;
  invitationTtlMs: number;
  passwordResetTtlMs: number;
  loginThrottle: Readonly<{ maxFailuresPerAccount: number; maxFailuresPerIp: number; lockoutMs: number }>;
  shutdownTimeoutMs: number;
  /**
   * Course packages are third-party JavaScript, served only from this separate origin, never from appUrl.
   * In development it is a second port of the same process (CONTENT_PORT, default PORT + 1).
   */
  content: Readonly<{ origin: string; port: number; launchTokenTtlMs: number }>;
  scorm: Readonly<{
    maxUploadBytes: number;
    maxEntries: number;
    maxUncompressedBytes: number;
    maxCompressionRatio: number;
    /** Package files read, inflated and stored at once during an import. */
    extractConcurrency: number;
    scorm12SuspendDataMax: number;
  }>;
  assets: Readonly<{ maxUploadBytes: number; maxLogoBytes: number }>;
  /** Previews and co-branded renders run on worker threads: at most `concurrency` at once, each within `timeoutMs`. */
  render: Readonly<{ concurrency: number; timeoutMs: number }>;
  /** Meilisearch when MEILI_URL is set, else PostgreSQL full-text search in the app's own database. */
  search: Readonly<
    | { kind: 'postgres'; syncIntervalMs: number; cacheTtlMs: number }
    | { kind: 'meilisearch'; url: string; apiKey: string | undefined; indexName: string; syncIntervalMs: number; cacheTtlMs: number }
  >;
  /** Learning path reminders: mailed when a path is due within reminderDaysBefore days, at most once per reminderIntervalMs per learner and path. */
  paths: Readonly<{ reminderDaysBefore: number; reminderIntervalMs: number }>;
  /** Programme dashboards: each computed figure set is reused for cacheTtlMs (0: every request computes). */
  analytics: Readonly<{ cacheTtlMs: number }>;
}>;

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** Parses the environment once; every problem is reported together, naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (got ${JSON.stringify(cleaned[String(i.path[0])] ?? 'nothing')})`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.NODE_ENV === 'production' && !e.SESSION_SECRET) problems.push('SESSION_SECRET: required in production (at least 32 characters of random text)');
  if (e.S3_ENDPOINT && !e.S3_BUCKET) problems.push('S3_BUCKET: required when S3_ENDPOINT is set');
  const contentPort = e.CONTENT_PORT ?? (e.PORT === 0 ? 0 : e.PORT + 1);
  const contentOrigin = (e.CONTENT_ORIGIN ?? `http://localhost:${contentPort}`).replace(/\/+$/, '');
  if (e.APP_URL && new URL(contentOrigin).origin === new URL(e.APP_URL).origin) problems.push('CONTENT_ORIGIN: must differ from APP_URL: course content must not run on the app origin');
  if (problems.length) throw new ConfigError(problems);

  const appUrl = (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const secureCookies = appUrl.startsWith('https://');
  const dataDir = path.resolve(e.DATA_DIR);
  const config: AppConfig = {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    appUrl,
    secureCookies,
    dataDir,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX }
      : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
    session: {
      secret: e.SESSION_SECRET,
      maxAgeMs: e.SESSION_MAX_AGE_HOURS * 3600_000,
      // The __Host- prefix makes browsers refuse the cookie unless it is Secure, path=/ and host-only.
      cookieName: secureCookies ? '__Host-pa.sid' : 'pa.sid',
    },
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    bodyLimit: e.BODY_LIMIT,
    viewCache: e.VIEW_CACHE,
    logLevel: e.LOG_LEVEL,
    storage: e.S3_BUCKET
      ? { kind: 's3', bucket: e.S3_BUCKET, endpoint: e.S3_ENDPOINT, region: e.S3_REGION, forcePathStyle: e.S3_FORCE_PATH_STYLE, prefix: e.S3_PREFIX }
      : { kind: 'local', root: path.join(dataDir, 'storage') },
    mail: e.SMTP_URL ? { kind: 'smtp', url: e.SMTP_URL, from: e.MAIL_FROM } : { kind: 'files', dir: path.join(dataDir, 'mail'), from: e.MAIL_FROM },
    seed: { onEmpty: e.SEED_ON_EMPTY, password: e.SEED_PASSWORD },
    invitationTtlMs: e.INVITATION_TTL_HOURS * 3600_000,
    passwordResetTtlMs: e.PASSWORD_RESET_TTL_MINUTES * 60_000,
    loginThrottle: {
      maxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
      lockoutMs: e.LOGIN_LOCKOUT_MINUTES * 60_000,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    content: { origin: contentOrigin, port: contentPort, launchTokenTtlMs: e.LAUNCH_TOKEN_TTL_MINUTES * 60_000 },
    scorm: {
      maxUploadBytes: e.SCORM_MAX_UPLOAD,
      maxEntries: e.SCORM_MAX_ENTRIES,
      maxUncompressedBytes: e.SCORM_MAX_UNCOMPRESSED,
      maxCompressionRatio: e.SCORM_MAX_COMPRESSION_RATIO,
      extractConcurrency: e.SCORM_EXTRACT_CONCURRENCY,
      scorm12SuspendDataMax: e.SCORM12_SUSPEND_DATA_MAX,
    },
    assets: { maxUploadBytes: e.ASSET_MAX_UPLOAD, maxLogoBytes: e.LOGO_MAX_UPLOAD },
    // The time limit sits above the preview's own 15 s budget, so a slow preview reports its own error.
    render: { concurrency: e.RENDER_CONCURRENCY, timeoutMs: Math.max(e.RENDER_TIMEOUT_MS, 16_000) },
    search: e.MEILI_URL
      ? { kind: 'meilisearch', url: e.MEILI_URL, apiKey: e.MEILI_KEY, indexName: e.MEILI_INDEX, syncIntervalMs: e.SEARCH_SYNC_INTERVAL_MS, cacheTtlMs: e.SEARCH_CACHE_TTL_MS }
      : { kind: 'postgres', syncIntervalMs: e.SEARCH_SYNC_INTERVAL_MS, cacheTtlMs: e.SEARCH_CACHE_TTL_MS },
    paths: { reminderDaysBefore: e.PATH_REMINDER_DAYS_BEFORE, reminderIntervalMs: e.PATH_REMINDER_INTERVAL_HOURS * 3600_000 },
    analytics: { cacheTtlMs: e.ANALYTICS_CACHE_TTL_MS },
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
