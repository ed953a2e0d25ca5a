// Mail transport. With an SMTP URL: a pooled nodemailer SMTP transport (TLS and auth taken from the
// URL). Without: the dev outbox — every message is rendered to RFC 5322 and written as a readable
// `.eml` file into `outboxDir`, with one log line saying where it went.
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';

export type OutgoingMessage = {
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  /** Message-ID (with or without angle brackets). Retries pass the same one, derived from the idempotency key. */
  messageId?: string;
};

export type SendResult = { messageId: string; accepted: string[] };

export type Mailer = {
  kind: 'smtp' | 'outbox-dir';
  /** The configured sender (MAIL_FROM); callers use it for `from` and to derive Message-ID domains. */
  from?: string;
  send(message: OutgoingMessage): Promise<SendResult>;
  close(): Promise<void>;
};

export type CreateMailerOptions = {
  smtpUrl: string | undefined;
  outboxDir: string;
  mailFrom: string;
  log?: (line: string) => void;
};

export class MailerConfigurationError extends Error {
  override name = 'MailerConfigurationError';
}

const BOOLEAN_QUERY = new Set(['tls.rejectUnauthorized', 'requireTLS', 'ignoreTLS', 'opportunisticTLS', 'secure', 'pool']);
const NUMBER_QUERY = new Set([
  'maxConnections',
  'maxMessages',
  'connectionTimeout',
  'greetingTimeout',
  'socketTimeout',
]);
const STRING_QUERY = new Set(['tls.servername', 'tls.minVersion', 'name', 'authMethod']);

/**
 * Turns `smtp[s]://user:pass@host:port/?tls.rejectUnauthorized=false&requireTLS=true&maxConnections=2`
 * into pooled transport options. `smtps://` means implicit TLS (default port 465); `smtp://` uses
 * STARTTLS when the server offers it (default port 587, or 25 if given). Unknown query options are
 * refused so a typo does not silently weaken TLS.
 */
export function smtpOptionsFromUrl(smtpUrl: string): SMTPPool.Options {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new MailerConfigurationError('SMTP_URL is not a valid URL (expected smtp[s]://user:pass@host:port)');
  }
  const implicitTls = url.protocol === 'smtps:';
  if (!implicitTls && url.protocol !== 'smtp:') {
    throw new MailerConfigurationError('SMTP_URL must start with smtp:// or smtps://');
  }
  if (!url.hostname) throw new MailerConfigurationError('SMTP_URL needs a host');
  const options: SMTPPool.Options = {
    pool: true,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : implicitTls ? 465 : 587,
    secure: implicitTls,
    maxConnections: 3,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  };
  if (url.username) {
    options.auth = { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
  }
  const tls: NonNullable<SMTPPool.Options['tls']> = {};
  let hasTls = false;
  for (const [key, raw] of url.searchParams) {
    let value: string | number | boolean;
    if (BOOLEAN_QUERY.has(key)) {
      if (raw !== 'true' && raw !== 'false') throw new MailerConfigurationError(`SMTP_URL option ${key} must be true or false`);
      value = raw === 'true';
    } else if (NUMBER_QUERY.has(key)) {
      value = Number(raw);
      if (!Number.isFinite(value) || value < 0) throw new MailerConfigurationError(`SMTP_URL option ${key} must be a number`);
    } else if (STRING_QUERY.has(key)) {
      value = raw;
    } else {
      throw new MailerConfigurationError(`SMTP_URL option ${key} is not supported`);
    }
    if (key.startsWith('tls.')) {
      (tls as Record<string, unknown>)[key.slice(4)] = value;
      hasTls = true;
    } else if (key === 'pool') {
      // Always pooled; accepted for compatibility with nodemailer-style URLs.
    } else {
      (options as Record<string, unknown>)[key] = value;
    }
  }
  if (hasTls) options.tls = tls;
  return options;
}

function bracketed(messageId: string): string {
  const trimmed = messageId.trim();
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

function toNodemailer(message: OutgoingMessage, from: string) {
  return {
    from: message.from || from,
    to: message.to,
    ...(message.cc && message.cc.length > 0 ? { cc: message.cc } : {}),
    subject: message.subject,
    text: message.text,
    html: message.html,
    headers: message.headers,
    ...(message.messageId ? { messageId: bracketed(message.messageId) } : {}),
  };
}

function acceptedOf(list: ReadonlyArray<string | { address: string }> | undefined): string[] {
  return (list ?? []).map((a) => (typeof a === 'string' ? a : a.address));
}

/** Safe file-name part for a Message-ID: `<abc@host>` -> `abc_host`. */
function fileSafe(messageId: string): string {
  return messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
}

export function createMailer(options: CreateMailerOptions): Mailer {
  const log = options.log ?? ((line: string) => console.log(line));
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(smtpOptionsFromUrl(options.smtpUrl));
    return {
      kind: 'smtp',
      from: options.mailFrom,
      async send(message) {
        const info = await transport.sendMail(toNodemailer(message, options.mailFrom));
        return { messageId: info.messageId, accepted: acceptedOf(info.accepted) };
      },
      async close() {
        transport.close();
      },
    };
  }

  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let dirReady: Promise<unknown> | undefined;
  return {
    kind: 'outbox-dir',
    from: options.mailFrom,
    async send(message) {
      dirReady ??= fs.mkdir(options.outboxDir, { recursive: true });
      await dirReady;
      const info = await transport.sendMail(toNodemailer(message, options.mailFrom));
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = path.join(options.outboxDir, `${stamp}_${fileSafe(info.messageId)}.eml`);
      // Write then rename, so a reader (or a crash) never sees half a message.
      const tmp = `${file}.tmp`;
      await fs.writeFile(tmp, info.message);
      await fs.rename(tmp, file);
      const to = [...message.to, ...(message.cc ?? [])];
      log(`mail: "${message.subject}" to ${to.join(', ')} written to ${file} (no SMTP_URL set)`);
      return { messageId: info.messageId, accepted: to };
    },
    async close() {
      transport.close();
    },
  };
}
