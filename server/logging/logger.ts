import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { app: 'partner-academy' },
      // Never let a credential reach the logs, whatever a caller logs by mistake.
      redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'password', '*.password', 'token', '*.token'], censor: '[redacted]' },
    },
    options.destination,
  );
}
