import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, MailerConfigurationError, smtpOptionsFromUrl } from '../adapters/mail-transport';
import type { OutgoingMessage } from '../domain/notifications/mail';
import { createNotificationActivities } from '../activities/notifications';
import { notificationOutbox } from '../db/schema';
import { itemLine } from '../domain/item-words';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { createNotificationFixture } from './helpers/notification-fixtures';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink';

const MAIL_FROM = 'Offboarding <offboarding@acme.test>';
const message = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  from: MAIL_FROM,
  to: ['mia@example.com'],
  subject: 'Hello <there> & "friends"',
  text: 'Plain text body\nwith two lines',
  html: '<p>HTML body</p>',
  headers: { 'X-Offboarding-Kind': 'reminder', 'X-Offboarding-User-Id': '12' },
  messageId: '<abc123.notification@acme.test>',
  ...overrides,
});

let dir: string;
let sink: SmtpSink;
beforeAll(async () => {
  [dir, sink] = await Promise.all([fs.mkdtemp(path.join(os.tmpdir(), 'offboarding-outbox-')), startSmtpSink()]);
});
afterAll(async () => {
  await sink?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('dev outbox (no SMTP_URL)', () => {
  it('writes each message as a readable .eml file into a created folder, and logs where', async () => {
    const outboxDir = path.join(dir, 'nested', 'outbox');
    const lines: string[] = [];
    const mailer = createMailer({ smtpUrl: undefined, outboxDir, mailFrom: MAIL_FROM, log: (l) => lines.push(l) });
    expect(mailer.kind).toBe('outbox-dir');
    const info = await mailer.send(message({ cc: ['ada@example.com'] }));
    await mailer.close();
    expect(info).toEqual({ messageId: '<abc123.notification@acme.test>', accepted: ['mia@example.com', 'ada@example.com'] });

    const files = (await fs.readdir(outboxDir)).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{4}-\d{2}-\d{2}T.*_abc123\.notification_acme\.test\.eml$/);
    const file = path.join(outboxDir, files[0]!);
    expect(lines).toEqual([`mail: "Hello <there> & "friends"" to mia@example.com, ada@example.com written to ${file} (no SMTP_URL set)`]);

    const raw = await fs.readFile(file);
    expect(raw.includes('\r\n')).toBe(false); // unix newlines: readable with any pager
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Hello <there> & "friends"');
    expect(parsed.text?.trim()).toBe('Plain text body\nwith two lines');
    expect(parsed.html).toContain('<p>HTML body</p>');
    expect(parsed.messageId).toBe('<abc123.notification@acme.test>');
    expect(parsed.headers.get('x-offboarding-kind')).toBe('reminder');
    expect(parsed.from?.value[0]).toMatchObject({ name: 'Offboarding', address: 'offboarding@acme.test' });
    expect(Array.isArray(parsed.cc) ? parsed.cc[0]?.text : parsed.cc?.text).toBe('ada@example.com');
  });

  it('the notification activity records outbox-dir sends as sent, once', async () => {
    const t: TestDatabase = await createTestDatabase();
    const outboxDir = path.join(dir, 'activity-outbox');
    const mailer = createMailer({ smtpUrl: undefined, outboxDir, mailFrom: MAIL_FROM, log: () => undefined });
    try {
      const f = await createNotificationFixture(t.db, 'm');
      const { sendNotification } = createNotificationActivities({ db: t.db, mailer, clock: () => new Date('2025-03-10T12:00:00Z'), log: () => undefined });
      const input = {
        idempotencyKey: 'offboarding-user-1:items-assigned:1',
        workflowId: 'offboarding-user-1',
        notification: {
          kind: 'items-assigned' as const,
          userId: f.user.id,
          requestedBy: f.admin.id,
          batchId: 'b-1',
          effectiveAt: null,
          items: f.items,
          newSinceLastNotice: false,
        },
      };
      const first = await sendNotification(input);
      const again = await sendNotification(input);
      expect(first.status).toBe('written-to-outbox-dir');
      expect(again.status).toBe('already-sent');
      const files = (await fs.readdir(outboxDir)).filter((n) => n.endsWith('.eml'));
      expect(files).toHaveLength(1);
      const parsed = await simpleParser(await fs.readFile(path.join(outboxDir, files[0]!)));
      expect(parsed.subject).toContain('Action needed');
      // The item in words, as the pages name it (no item key: issue 21, item 11).
      expect(parsed.text).toContain(itemLine(f.items[0]!));
      expect(parsed.text).not.toContain(f.items[0]!.key);
      expect(parsed.headers.get('x-offboarding-batch-id')).toBe('b-1');
      const [row] = await t.db.select().from(notificationOutbox);
      expect(row).toMatchObject({ status: 'sent', attempts: 1, smtpMessageId: first.messageId });
    } finally {
      await mailer.close();
      await t.drop();
    }
  });
});

describe('SMTP transport', () => {
  it('sends through a pooled connection with auth from the URL and keeps the given Message-ID', async () => {
    const url = sink.url.replace('smtp://', 'smtp://mailer%40acme:s%3Acret@') + '?maxConnections=1';
    const mailer = createMailer({ smtpUrl: url, outboxDir: dir, mailFrom: MAIL_FROM });
    expect(mailer.kind).toBe('smtp');
    try {
      const a = await mailer.send(message());
      const b = await mailer.send(message({ messageId: undefined, to: ['x@example.com', 'y@example.com'], subject: 'second' }));
      expect(a).toEqual({ messageId: '<abc123.notification@acme.test>', accepted: ['mia@example.com'] });
      expect(b.accepted).toEqual(['x@example.com', 'y@example.com']);
      const [m1, m2] = await sink.waitFor(2);
      expect(m1!.envelope).toEqual({ from: 'offboarding@acme.test', to: ['mia@example.com'], user: 'mailer@acme' });
      expect(m1!.parsed.messageId).toBe('<abc123.notification@acme.test>');
      expect(m1!.parsed.headers.get('x-offboarding-user-id')).toBe('12');
      expect(m2!.parsed.subject).toBe('second');
      expect(m2!.parsed.messageId).toBe(b.messageId);
    } finally {
      await mailer.close();
    }
  });

  it('rejects a refused message with the server response so the caller can retry', async () => {
    const mailer = createMailer({ smtpUrl: sink.url, outboxDir: dir, mailFrom: MAIL_FROM });
    sink.clear();
    sink.refuseNext(1, 550);
    try {
      await expect(mailer.send(message())).rejects.toMatchObject({ responseCode: 550 });
      await mailer.send(message());
      expect(await sink.waitFor(1)).toHaveLength(1);
    } finally {
      await mailer.close();
    }
  });

  it('reads TLS and auth options from the URL, and refuses unknown options', () => {
    expect(smtpOptionsFromUrl('smtps://u:p%40ss@mail.example.com?tls.rejectUnauthorized=false&tls.servername=mx.example.com')).toMatchObject({
      pool: true,
      host: 'mail.example.com',
      port: 465,
      secure: true,
      auth: { user: 'u', pass: 'p@ss' },
      tls: { rejectUnauthorized: false, servername: 'mx.example.com' },
    });
    expect(smtpOptionsFromUrl('smtp://mail.example.com:25?requireTLS=true&socketTimeout=5000')).toMatchObject({
      port: 25,
      secure: false,
      requireTLS: true,
      socketTimeout: 5000,
    });
    expect(smtpOptionsFromUrl('smtp://mail.example.com')).toMatchObject({ port: 587, secure: false });
    expect(smtpOptionsFromUrl('smtp://mail.example.com').auth).toBeUndefined();
    expect(() => smtpOptionsFromUrl('smtp://mail.example.com?tls.rejectUnauthorised=false')).toThrow(MailerConfigurationError);
    expect(() => smtpOptionsFromUrl('smtp://mail.example.com?requireTLS=yes')).toThrow(/true or false/);
    expect(() => smtpOptionsFromUrl('http://mail.example.com')).toThrow(/smtp:\/\/ or smtps:\/\//);
  });

  it('leaves the URL to nodemailer but keeps what these URLs always meant: ?secure= decides, pooled, ports named', () => {
    expect(smtpOptionsFromUrl('smtp://[::1]:2525?secure=true&pool=false&maxConnections=1')).toMatchObject({ host: '::1', port: 2525, secure: true, pool: true, maxConnections: 1 });
    expect(smtpOptionsFromUrl('smtps://mail.example.com?secure=false')).toMatchObject({ secure: false, port: 587 });
    expect(() => smtpOptionsFromUrl('smtp://mail.example.com?socketTimeout=soon')).toThrow('SMTP_URL option socketTimeout must be a number');
    expect(() => smtpOptionsFromUrl('smtp://mail.example.com?tls.ciphers=NULL')).toThrow('SMTP_URL option tls.ciphers is not supported');
    expect(() => smtpOptionsFromUrl('smtp://:25')).toThrow(MailerConfigurationError);
  });
});
