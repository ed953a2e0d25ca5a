// Mail transport. With an SMTP URL: a pooled nodemailer SMTP transport (TLS and auth taken from the
// URL). Without: the dev outbox — every message is rendered to RFC 5322 and written as a readable
// `.eml` file into `outboxDir`, with one log line saying where it went.
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { z } from 'zod';
import type { Mailer, OutgoingMessage } from '../domain/notifications/mail';

export type CreateMailerOptions = {
  smtpUrl: string | undefined;
  outboxDir: string;
  mailFrom: string;
  log?: (line: string) => void;
};

export class MailerConfigurationError extends Error {
  override name = 'MailerConfigurationError';
}

/** The options an SMTP_URL may carry (nodemailer reads more: a typo must not silently weaken TLS). */
const FLAG_OPTIONS = ['tls.rejectUnauthorized', 'requireTLS', 'ignoreTLS', 'opportunisticTLS', 'secure', 'pool'];
const NUMBER_OPTIONS = ['maxConnections', 'maxMessages', 'connectionTimeout', 'greetingTimeout', 'socketTimeout'];
const TEXT_OPTIONS = ['tls.servername', 'tls.minVersion', 'name', 'authMethod'];

// nodemailer turns "true"/"false" and digits into values but takes anything else as text, so
// requireTLS=yes would be a truthy string: the known options are checked for their type too.
const smtpUrlOptions = z.strictObject({
  ...Object.fromEntries(FLAG_OPTIONS.map((k) => [k, z.enum(['true', 'false'], { error: `SMTP_URL option ${k} must be true or false` }).optional()])),
  ...Object.fromEntries(
    NUMBER_OPTIONS.map((k) => [k, z.string().refine((v) => v.trim() !== '' && Number.isFinite(Number(v)) && Number(v) >= 0, `SMTP_URL option ${k} must be a number`).optional()]),
  ),
  ...Object.fromEntries(TEXT_OPTIONS.map((k) => [k, z.string().optional()])),
});

/**
 * Pooled transport options from `smtp[s]://user:pass@host:port/?tls.rejectUnauthorized=false&requireTLS=true`,
 * parsed by nodemailer (host, port, auth, `tls.*`). `smtps://` means implicit TLS (default port 465);
 * `smtp://` uses STARTTLS when the server offers it (default port 587). Unknown query options are
 * refused.
 */
export function smtpOptionsFromUrl(smtpUrl: string): SMTPPool.Options {
  let query: URLSearchParams;
  try {
    query = new URL(smtpUrl).searchParams;
  } catch {
    throw new MailerConfigurationError('SMTP_URL is not a valid URL (expected smtp[s]://user:pass@host:port)');
  }
  if (!/^smtps?:\/\//i.test(smtpUrl)) throw new MailerConfigurationError('SMTP_URL must start with smtp:// or smtps://');
  const checked = smtpUrlOptions.safeParse(Object.fromEntries(query));
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new MailerConfigurationError(
      issue?.code === 'unrecognized_keys' ? `SMTP_URL option ${issue.keys[0] ?? ''} is not supported` : (issue?.message ?? 'SMTP_URL has an invalid option'),
    );
  }
  const parsed = parseConnectionUrl(smtpUrl);
  if (!parsed.host) throw new MailerConfigurationError('SMTP_URL needs a host');
  // nodemailer lets the scheme win over ?secure=; these URLs always let the option decide.
  const secure = checked.data.secure === undefined ? parsed.secure : checked.data.secure === 'true';
  return {
    maxConnections: 3,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
    ...parsed,
    secure,
    // nodemailer's own default, spelled out so the options say where mail goes.
    port: parsed.port ?? (secure ? 465 : 587),
    // Always pooled; ?pool= is accepted for compatibility with nodemailer-style URLs.
    pool: true,
  };
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
