import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../server/config/config.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('has working defaults: embedded database, local storage, mail to files', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.appUrl).toBe('http://localhost:3000');
    expect(config.database.kind).toBe('pglite');
    expect(config.storage.kind).toBe('local');
    expect(config.mail.kind).toBe('files');
    expect(config.secureCookies).toBe(false);
    expect(config.session.cookieName).toBe('pa.sid');
  });

  it('is frozen, all the way down', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
    expect(() => ((config as { port: number }).port = 1)).toThrow();
  });

  it('switches to the PostgreSQL server, S3 and SMTP when their variables are set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/academy', S3_BUCKET: 'files', S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: 'true', SMTP_URL: 'smtp://mail:25' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u:p@db:5432/academy', poolMax: 10 });
    expect(config.storage).toMatchObject({ kind: 's3', bucket: 'files', endpoint: 'http://minio:9000', forcePathStyle: true });
    expect(config.mail.kind).toBe('smtp');
  });

  it('uses a __Host- Secure cookie when served over HTTPS', () => {
    const config = loadConfig({ APP_URL: 'https://academy.example.com/' });
    expect(config.secureCookies).toBe(true);
    expect(config.session.cookieName).toBe('__Host-pa.sid');
    expect(config.appUrl).toBe('https://academy.example.com');
  });

  it('names the variable and what is expected when a value is wrong', () => {
    expect(problemsOf({ PORT: 'eighty' })).toMatch(/PORT: expected a port number \(got "eighty"\)/);
    expect(problemsOf({ DATABASE_URL: 'mysql://localhost/x' })).toMatch(/DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(problemsOf({ BODY_LIMIT: 'lots' })).toMatch(/BODY_LIMIT: expected a size such as 100kb/);
    expect(problemsOf({ S3_FORCE_PATH_STYLE: 'maybe' })).toMatch(/S3_FORCE_PATH_STYLE: expected true or false/);
    expect(problemsOf({ LOG_LEVEL: 'loud' })).toMatch(/LOG_LEVEL/);
  });

  it('reports every problem at once', () => {
    const message = problemsOf({ PORT: '-1', SEED_PASSWORD: 'short', APP_URL: 'not a url' });
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/SEED_PASSWORD: expected at least 10 characters/);
    expect(message).toMatch(/APP_URL/);
  });

  it('requires a session secret in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toMatch(/SESSION_SECRET: required in production/);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) }).env).toBe('production');
  });

  it('parses sizes and the proxy setting', () => {
    expect(loadConfig({ BODY_LIMIT: '2mb' }).bodyLimit).toBe(2 * 1024 * 1024);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toBe('loopback');
    expect(loadConfig({}).trustProxy).toBe(false);
  });
});
