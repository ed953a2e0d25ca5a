// A real Mailpit (the compose file's mail catcher, built by launcher/mailpit-binary.ts) on free loopback
// ports, and a typed client for the parts of its API that judge a message: html-check (support of
// the HTML and CSS across ~180 email-client tests) and link-check (a HEAD request to every link).
//
//   const mp = await startMailpit(binary);
//   const mailer = createMailer({ smtpUrl: mp.smtpUrl, ... });  ... send ...
//   const [m] = await mp.waitFor(1);   await mp.htmlCheck(m.ID);   await mp.linkCheck(m.ID);
//   await mp.close();
import { type ChildProcess, spawn } from 'node:child_process';
import { z } from 'zod';
import { freePort } from './free-port';
import { budget } from './time-budget';

const address = z.object({ Name: z.string(), Address: z.string() });
const summary = z.object({ ID: z.string(), Subject: z.string(), To: z.array(address), Created: z.string() });
const messageList = z.object({ total: z.number(), messages: z.array(summary) });
const message = z.object({ ID: z.string(), Subject: z.string(), Text: z.string(), HTML: z.string(), To: z.array(address) });
const htmlCheck = z.object({
  Total: z.object({ Tests: z.number(), Nodes: z.number(), Supported: z.number(), Partial: z.number(), Unsupported: z.number() }),
  Warnings: z.array(z.object({ Slug: z.string(), Title: z.string(), Category: z.string(), Score: z.object({ Found: z.number(), Supported: z.number(), Partial: z.number(), Unsupported: z.number() }) })),
});
const linkCheck = z.object({ Errors: z.number(), Links: z.array(z.object({ URL: z.string(), StatusCode: z.number(), Status: z.string() })) });
const headers = z.record(z.string(), z.array(z.string()));

export type MailpitSummary = z.infer<typeof summary>;
export type MailpitMessage = z.infer<typeof message>;
export type HtmlCheck = z.infer<typeof htmlCheck>;
export type LinkCheck = z.infer<typeof linkCheck>;

export type Mailpit = {
  smtpUrl: string;
  /** The web UI and API, e.g. to look at the messages by hand while a test is paused. */
  httpUrl: string;
  messages(): Promise<MailpitSummary[]>;
  /** Resolves once at least `count` messages arrived, oldest first. */
  waitFor(count: number, timeoutMs?: number): Promise<MailpitSummary[]>;
  message(id: string): Promise<MailpitMessage>;
  headers(id: string): Promise<Record<string, string[]>>;
  htmlCheck(id: string): Promise<HtmlCheck>;
  linkCheck(id: string): Promise<LinkCheck>;
  deleteAll(): Promise<void>;
  close(): Promise<void>;
};

export async function startMailpit(binary: string): Promise<Mailpit> {
  const [smtpPort, httpPort] = await Promise.all([freePort(), freePort()]);
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const child: ChildProcess = spawn(
    binary,
    [
      '--smtp', `127.0.0.1:${smtpPort}`,
      '--listen', `127.0.0.1:${httpPort}`,
      '--smtp-auth-accept-any',
      '--smtp-auth-allow-insecure',
      // The links under test point at the web app on 127.0.0.1; Mailpit refuses loopback by default.
      '--allow-internal-http-requests',
      // No calls to GitHub for a newer release (this machine has no such network).
      '--disable-version-check',
      '--quiet',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const api = async <T>(schema: z.ZodType<T>, p: string, init?: RequestInit): Promise<T> => {
    const r = await fetch(`${httpUrl}/api/v1/${p}`, init);
    const body = await r.text();
    if (!r.ok) throw new Error(`Mailpit ${init?.method ?? 'GET'} ${p}: ${r.status} ${body.slice(0, 300)}`);
    return schema.parse(JSON.parse(body));
  };
  const messages = async () => (await api(messageList, 'messages?limit=500')).messages.slice().reverse();

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Mailpit exited (${child.exitCode}) before it was ready: ${stderr.trim()}`);
    const ready = await fetch(`${httpUrl}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Mailpit did not get ready in 20 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    httpUrl,
    messages,
    waitFor: async (count, waitMs = 60_000) => {
      const timeoutMs = budget(waitMs);
      const until = Date.now() + timeoutMs;
      for (;;) {
        const list = await messages();
        if (list.length >= count) return list;
        if (Date.now() > until) throw new Error(`Mailpit received ${list.length} of ${count} messages in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    message: (id) => api(message, `message/${encodeURIComponent(id)}`),
    headers: (id) => api(headers, `message/${encodeURIComponent(id)}/headers`),
    htmlCheck: (id) => api(htmlCheck, `message/${encodeURIComponent(id)}/html-check`),
    linkCheck: (id) => api(linkCheck, `message/${encodeURIComponent(id)}/link-check`),
    deleteAll: async () => {
      // Answers "ok" (text), not JSON.
      const r = await fetch(`${httpUrl}/api/v1/messages`, { method: 'DELETE' });
      if (!r.ok) throw new Error(`Mailpit DELETE messages: ${r.status}`);
    },
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
