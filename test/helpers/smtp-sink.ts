// An in-process SMTP server for tests: accepts every message (any or no auth, no TLS), parses it
// with mailparser and keeps it in `messages`. Usage:
//
//   const sink = await startSmtpSink();
//   const mailer = createMailer({ smtpUrl: sink.url, outboxDir, mailFrom });
//   ... send ...
//   const [m] = await sink.waitFor(1);     // m.parsed.subject, m.parsed.text, m.parsed.html, m.envelope.to
//   sink.refuseNext(1);                    // the next message is answered 451 (or refuseNext(1, 550))
//   afterAll(() => sink.close());
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './free-port';
import { budget } from './time-budget';

export type ReceivedMessage = {
  envelope: { from: string | null; to: string[]; user: string | null };
  parsed: ParsedMail;
  raw: Buffer;
};

export type SmtpSink = {
  port: number;
  /** `smtp://127.0.0.1:<port>`, ready for createMailer({ smtpUrl }). */
  url: string;
  /** Accepted messages, in arrival order. */
  readonly messages: ReceivedMessage[];
  /** How many messages were refused so far. */
  readonly refusedCount: number;
  /** Refuse the next `count` messages at DATA with `code` (default 451: temporary failure). */
  refuseNext(count: number, code?: number): void;
  /** Resolves once at least `count` messages were accepted (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  /** Forget received messages and pending refusals. */
  clear(): void;
  close(): Promise<void>;
};

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMessage[] = [];
  let refuse = 0;
  let refuseCode = 451;
  let refusedCount = 0;
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // close() must not wait 30 s for pooled client connections that are still open.
    closeTimeout: 300,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if (refuse > 0) {
          refuse -= 1;
          refusedCount += 1;
          const err = Object.assign(new Error(`test sink refuses this message (${refuseCode})`), {
            responseCode: refuseCode,
          });
          callback(err);
          return;
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            const from = session.envelope.mailFrom;
            messages.push({
              envelope: {
                from: from ? from.address : null,
                to: session.envelope.rcptTo.map((r) => r.address),
                user: typeof session.user === 'string' ? session.user : null,
              },
              parsed,
              raw,
            });
            callback();
            notify();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });

  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined);

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get refusedCount() {
      return refusedCount;
    },
    refuseNext(count, code = 451) {
      refuse = count;
      refuseCode = code;
    },
    waitFor(count, waitMs = 60_000) {
      const timeoutMs = budget(waitMs);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(messages.slice());
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`smtp sink: expected ${count} message(s), got ${messages.length} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    clear() {
      messages.length = 0;
      refuse = 0;
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
