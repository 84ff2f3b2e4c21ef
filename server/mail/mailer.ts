import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { AppConfig } from '../config/config.js';
import type { Logger } from '../logging/logger.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * SMTP when SMTP_URL is set; otherwise every message is written as JSON to DATA_DIR/mail/
 * (nodemailer's JSON transport), so invitations and resets can be read during development and tests.
 */
export function createMailer(config: AppConfig['mail'], logger: Logger): Mailer {
  if (config.kind === 'smtp') {
    const transport = nodemailer.createTransport(config.url);
    return {
      async send(mail) {
        await transport.sendMail({ from: config.from, ...mail });
        logger.info({ to: mail.to, subject: mail.subject }, 'mail sent');
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ jsonTransport: true });
  return {
    async send(mail) {
      const info = await transport.sendMail({ from: config.from, ...mail });
      await mkdir(config.dir, { recursive: true });
      const file = path.join(config.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.json`);
      await writeFile(file, JSON.stringify(JSON.parse(String(info.message)), null, 2));
      logger.info({ to: mail.to, subject: mail.subject, file }, 'mail written to disk (no SMTP_URL configured)');
    },
    close: () => transport.close(),
  };
}
