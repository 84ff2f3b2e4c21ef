import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logging/logger.js';

const quietPaths = (url: string | undefined) => url === '/healthz' || url === '/readyz' || url?.startsWith('/static/') === true;

/**
 * Every request gets an id (X-Request-Id, shown on error pages). Access logs go through pino-http only
 * when the level logs them: below `info` its per-request child logger is pure cost.
 */
export function requestLogging(logger: Logger): RequestHandler {
  const nextId = () => randomUUID().slice(0, 8);
  if (logger.isLevelEnabled('info')) {
    return pinoHttp({
      logger,
      genReqId: (_req, res) => {
        const id = nextId();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => quietPaths(req.url) },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    });
  }
  return (req, res, next) => {
    req.id = nextId();
    res.setHeader('X-Request-Id', req.id);
    next();
  };
}
