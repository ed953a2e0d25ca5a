// What the domain needs of a mail transport, and nothing more: the outbox hands it a rendered message
// and records what it answers. The transport itself (nodemailer, SMTP or the dev outbox's .eml files)
// is an adapter outside the domain: adapters/mail-transport.ts.
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
