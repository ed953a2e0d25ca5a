// The one place that reads process.env: everything else receives a typed Settings object.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClientConfigProfile, loadClientConfigProfile } from '@temporalio/envconfig';
import { z } from 'zod';
import { parseAddressRange } from './address-ranges';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const DEFAULT_EMBEDDED_PG_PORT = 54329;
export const DEFAULT_TEMPORAL_PORT = 7233;
export const DEFAULT_TEMPORAL_UI_PORT = 8233;
export const DEFAULT_WEB_PORT = 3000;
/** Where `npm start` keeps the generated WEB_LINK_SECRET, inside the data folder. */
export const WEB_LINK_SECRET_FILE = 'web-link-secret';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const isHostPort = (v: string | undefined) => v === undefined || /^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(v);
const HOST_PORT = 'must be host:port, for example localhost:7233';

const isPayloadKey = (base64: string) => Buffer.from(base64, 'base64').length === 32;

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

const envSchema = z.object({
  DATABASE_URL: optionalString.refine(
    (v) => v === undefined || /^postgres(ql)?:\/\//.test(v),
    'must start with postgres:// or postgresql://',
  ),
  OFFBOARDING_DATA_DIR: optionalString,
  EMBEDDED_PG_PORT: port(DEFAULT_EMBEDDED_PG_PORT),
  // The Temporal connection (address, namespace, API key, TLS, profiles) is read by envconfig below;
  // these two are checked here first so a bad value is named as before.
  TEMPORAL_ADDRESS: optionalString.refine(isHostPort, HOST_PORT),
  TEMPORAL_NAMESPACE: z.string().min(1).optional(),
  // How long Temporal keeps closed workflows (`npm run stack` creates the namespace; compose's default).
  TEMPORAL_NAMESPACE_RETENTION: z.string().regex(/^\d+(h|d)$/, 'must be hours or days, for example 720h or 30d').default('720h'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('offboarding'),
  TEMPORAL_PORT: port(DEFAULT_TEMPORAL_PORT),
  TEMPORAL_UI_PORT: port(DEFAULT_TEMPORAL_UI_PORT),
  // Where people open the Temporal Web UI (the web app links batches to it); default: this machine's.
  TEMPORAL_UI_URL: optionalString.refine((v) => v === undefined || /^https?:\/\/[^?#]+$/.test(v), 'must be an http(s) URL, like https://temporal.example.com'),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_TEST_SERVER_PATH: optionalString,
  SMTP_URL: optionalString.refine(
    (v) => v === undefined || /^smtps?:\/\//.test(v),
    'must start with smtp:// or smtps://',
  ),
  MAIL_FROM: z.string().min(3).default('Offboarding <offboarding@localhost>'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  WORKFLOW_BUNDLE_PATH: optionalString,
  WEB_PORT: port(DEFAULT_WEB_PORT),
  WEB_HOST: z.string().min(1).default('127.0.0.1'),
  // Unset, it follows WEB_PORT (below): a fixed default would send links in emails, and the Origin
  // check of every form, to port 3000 while the app listens elsewhere.
  WEB_PUBLIC_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^https?:\/\/[^/?#]+\/?$/.test(v.trim()), 'must be the origin people open, like https://offboarding.example.com (no path)')
    .transform((v) => (v === undefined ? undefined : v.trim().replace(/\/$/, ''))),
  WEB_LINK_SECRET: optionalString.refine(
    (v) => v === undefined || v.length >= 32,
    'must be at least 32 characters (openssl rand -base64 32)',
  ),
  WEB_AUTH: z.enum(['email-link', 'trusted-header']).default('email-link'),
  WEB_TRUSTED_HEADER: z
    .string()
    .default('X-Auth-Request-Email')
    .refine((v) => /^[A-Za-z0-9-]+$/.test(v), 'must be a header name like X-Auth-Request-Email'),
  WEB_TRUSTED_PROXIES: optionalString
    .transform((v) => (v === undefined ? [] : v.split(',').map((a) => a.trim()).filter((a) => a !== '')))
    .superRefine((entries, ctx) => {
      // Refused rather than skipped: a proxy that is never matched would silently trust nobody.
      const bad = entries.find((a) => parseAddressRange(a) === undefined);
      if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `"${bad.slice(0, 60)}" is not an IP address or CIDR range (like 10.0.0.5, 10.0.0.0/8, ::1 or 0.0.0.0/0), separated by commas` });
    }),
  OFFBOARDING_PAYLOAD_KEY: optionalString.refine(
    (v) => v === undefined || isPayloadKey(v),
    'OFFBOARDING_PAYLOAD_KEY must be 32 random bytes in base64 (openssl rand -base64 32)',
  ),
  // The codec server (client/web/routes/codec.ts): people who may decode without being directory admins.
  CODEC_OPERATORS: optionalString
    .transform((v) => (v === undefined ? [] : v.split(',').map((a) => a.trim().toLowerCase()).filter((a) => a !== '')))
    .refine((emails) => emails.every((a) => /^[^\s@,]+@[^\s@,]+$/.test(a)), 'must be email addresses separated by commas'),
  CODEC_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(1200),
  // SCIM deactivations that arrive within this many seconds become one batch (workflows/identity-intake.ts).
  OFFBOARDING_INTAKE_WINDOW_SECONDS: z.coerce
    .number({ error: 'must be a whole number of seconds (1 to 3600)' })
    .int('must be a whole number of seconds (1 to 3600)')
    .min(1, 'must be at least 1 second')
    .max(3600, 'must be at most 3600 seconds (an hour)')
    .default(60),
  // SCIM (client/web/scim/): requests per connection and minute; a layoff's burst is ~50 a second.
  SCIM_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(6000),
  // The JSON API (client/web/api/): requests per token and minute (429 with Retry-After beyond).
  API_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  // Webhooks out (domain/webhooks/): targets on loopback, link-local or private addresses are refused
  // unless this is true (a receiver inside the company's network; the tests' local receiver).
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  // One POST's time limit; then the retries' backoff: the first wait, its cap, and when a delivery is given up.
  // At most 50 s: an attempt (the POST, then its log row) has a minute in all before Temporal retries it
  // elsewhere (workflows/activity-proxies.ts), and a POST cut off by that minute would leave no log row.
  WEBHOOK_TIMEOUT_SECONDS: z.coerce
    .number({ error: 'must be a whole number of seconds (1 to 50)' })
    .int('must be a whole number of seconds (1 to 50)')
    .min(1, 'must be at least 1 second')
    .max(50, 'must be at most 50 seconds: a delivery attempt has one minute in all')
    .default(10),
  WEBHOOK_RETRY_FIRST_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  WEBHOOK_RETRY_MAX_SECONDS: z.coerce.number().int().min(1).max(86_400).default(4 * 3600),
  WEBHOOK_GIVE_UP_AFTER_HOURS: z.coerce.number().int().min(1).max(30 * 24).default(72),
  // How often the worker's relay looks for events to deliver (it is also woken at once by PostgreSQL NOTIFY).
  WEBHOOK_RELAY_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  // Settled webhook events (and their deliveries and attempts) older than this are purged hourly.
  WEBHOOK_RETENTION_DAYS: z.coerce
    .number({ error: 'must be a whole number of days (1 to 3650)' })
    .int('must be a whole number of days (1 to 3650)')
    .min(1, 'must be at least 1 day')
    .max(3650, 'must be at most 3650 days')
    .default(30),
  OFFBOARDING_PAYLOAD_KEYS: optionalString
    .transform((v) => (v === undefined ? [] : v.split(',').map((k) => k.trim()).filter((k) => k !== '')))
    .refine(
      (keys) => keys.every(isPayloadKey),
      'OFFBOARDING_PAYLOAD_KEYS must be keys of 32 random bytes in base64 (openssl rand -base64 32), separated by commas, newest first',
    ),
});

export type Settings = {
  databaseUrl: string | undefined;
  dataDir: string;
  outboxDir: string;
  embeddedPgPort: number;
  /** From TEMPORAL_ADDRESS or the profile; undefined = `npm start` runs the dev server. */
  temporalAddress: string | undefined;
  temporalNamespace: string;
  /** Retention of the namespace `npm run stack` creates. */
  temporalNamespaceRetention: string;
  /**
   * The Temporal client profile of @temporalio/envconfig: `temporal.toml` (TEMPORAL_CONFIG_FILE, or
   * the user's config folder; TEMPORAL_PROFILE, or "default") overridden by the SDK's TEMPORAL_*
   * variables: API key, TLS, gRPC metadata (temporal/connection-options.ts turns it into options).
   */
  temporalProfile: ClientConfigProfile;
  taskQueue: string;
  temporalPort: number;
  temporalUiPort: number;
  temporalCliPath: string | undefined;
  temporalTestServerPath: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  metricsPort: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** A prebuilt workflow bundle (worker/workflow-bundle.ts); undefined = bundle workflows/ at start-up. */
  workflowBundlePath: string | undefined;
  /** AES-256-GCM key (base64) that encrypts payloads of worker and clients (temporal/payload-codec.ts); undefined = off. */
  payloadKey: string | undefined;
  /** Older payload keys, newest first: they only decrypt (key rotation). */
  previousPayloadKeys: string[];
  web: WebSettings;
  webhooks: WebhookSettings;
};

/** Webhooks out: who may be a target, one POST's timeout, and the retries (domain/webhooks/). */
export type WebhookSettings = {
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: loopback, link-local and private addresses are allowed targets. */
  allowPrivateTargets: boolean;
  timeoutMs: number;
  retry: { firstMs: number; maxMs: number; giveUpAfterMs: number };
  /** How often the relay looks for undelivered events when no NOTIFY woke it. */
  relayIntervalMs: number;
  /** WEBHOOK_RETENTION_DAYS: settled events older than this are purged with their deliveries and attempts. */
  retentionDays: number;
};

export type WebSettings = {
  port: number;
  /** The address the web server listens on (0.0.0.0 in a container). */
  host: string;
  /** The origin people open and emails link to, without a trailing slash. */
  publicUrl: string;
  /** Signs action links, CSRF tokens and derives the web's keys; undefined = no links in emails, and the web refuses to start. */
  linkSecret: string | undefined;
  auth: 'email-link' | 'trusted-header';
  /** The header an SSO proxy puts the signed-in email in (WEB_AUTH=trusted-header). */
  trustedHeader: string;
  /** Addresses and CIDR ranges (config/address-ranges.ts) of the proxies whose trusted header (and X-Forwarded-For) is believed. */
  trustedProxies: string[];
  /** The Temporal Web UI people open, and the namespace, for links to a batch's workflows; undefined = no link. */
  temporalUi?: { url: string; namespace: string };
  /** The codec server for the Web UI and the temporal CLI; undefined or without a key = it answers 404. */
  codec?: CodecSettings;
  /** SCIM's collection window: deactivations within it become one batch; undefined = DEFAULT_INTAKE_WINDOW_MS. */
  intakeWindowMs?: number;
  /** SCIM at /scim/v2: requests per connection and minute (429 beyond); undefined = the default. */
  scim?: { requestsPerMinute: number };
  /** The JSON API at /api/v1: requests per token and minute (429 beyond); undefined = the default. */
  api?: { requestsPerMinute: number };
  /** Webhook subscriptions (/api/v1/webhooks): whether private targets may be subscribed; undefined = refused. */
  webhooks?: { allowPrivateTargets: boolean };
};

export type CodecSettings = {
  /** The worker's payload keys (OFFBOARDING_PAYLOAD_KEYS): the current one first. */
  payloadKey: string | undefined;
  previousPayloadKeys: readonly string[];
  /** Emails (lower case) of people who may decode without being company directory admins. */
  operators: readonly string[];
  /** Per caller (a person or a token) and minute. */
  requestsPerMinute: number;
};

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** Parses the environment once; a bad value becomes one line naming the variable and the fix. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const name = first?.path.join('.') ?? 'environment';
    throw new ConfigurationError(`${name}: ${first?.message ?? 'invalid value'}`);
  }
  const e = parsed.data;
  if (e.OFFBOARDING_PAYLOAD_KEY && e.OFFBOARDING_PAYLOAD_KEYS.length > 0) {
    // Which one would encrypt? Refuse rather than guess: KEYS alone says it (its first key).
    throw new ConfigurationError('OFFBOARDING_PAYLOAD_KEYS: set it or OFFBOARDING_PAYLOAD_KEY, not both (put every key in OFFBOARDING_PAYLOAD_KEYS, newest first)');
  }
  const [newestPayloadKey, ...previousPayloadKeys] = e.OFFBOARDING_PAYLOAD_KEYS;
  const temporalProfile = temporalProfileOf(env);
  const dataDir = path.resolve(projectRoot, e.OFFBOARDING_DATA_DIR ?? '.data');
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir,
    outboxDir: path.join(dataDir, 'outbox'),
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    temporalAddress: temporalProfile.address,
    temporalNamespace: temporalProfile.namespace ?? 'default',
    temporalProfile,
    temporalNamespaceRetention: e.TEMPORAL_NAMESPACE_RETENTION,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    temporalPort: e.TEMPORAL_PORT,
    temporalUiPort: e.TEMPORAL_UI_PORT,
    temporalCliPath: e.TEMPORAL_CLI_PATH,
    temporalTestServerPath: e.TEMPORAL_TEST_SERVER_PATH,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    metricsPort: e.METRICS_PORT,
    logLevel: e.LOG_LEVEL,
    workflowBundlePath: e.WORKFLOW_BUNDLE_PATH ? path.resolve(projectRoot, e.WORKFLOW_BUNDLE_PATH) : undefined,
    payloadKey: newestPayloadKey ?? e.OFFBOARDING_PAYLOAD_KEY,
    previousPayloadKeys,
    web: {
      port: e.WEB_PORT,
      host: e.WEB_HOST,
      publicUrl: e.WEB_PUBLIC_URL ?? `http://localhost:${e.WEB_PORT}`,
      linkSecret: e.WEB_LINK_SECRET,
      auth: e.WEB_AUTH,
      trustedHeader: e.WEB_TRUSTED_HEADER,
      trustedProxies: e.WEB_TRUSTED_PROXIES,
      temporalUi: {
        // localhost, as WEB_PUBLIC_URL's default: the same site, so the UI's codec requests carry the session cookie.
        url: (e.TEMPORAL_UI_URL ?? `http://localhost:${e.TEMPORAL_UI_PORT}`).replace(/\/+$/, ''),
        namespace: temporalProfile.namespace ?? 'default',
      },
      intakeWindowMs: e.OFFBOARDING_INTAKE_WINDOW_SECONDS * 1000,
      codec: {
        payloadKey: newestPayloadKey ?? e.OFFBOARDING_PAYLOAD_KEY,
        previousPayloadKeys,
        operators: e.CODEC_OPERATORS,
        requestsPerMinute: e.CODEC_REQUESTS_PER_MINUTE,
      },
      scim: { requestsPerMinute: e.SCIM_REQUESTS_PER_MINUTE },
      api: { requestsPerMinute: e.API_REQUESTS_PER_MINUTE },
      webhooks: { allowPrivateTargets: e.WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true' },
    },
    webhooks: {
      allowPrivateTargets: e.WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true',
      timeoutMs: e.WEBHOOK_TIMEOUT_SECONDS * 1000,
      retry: { firstMs: e.WEBHOOK_RETRY_FIRST_SECONDS * 1000, maxMs: e.WEBHOOK_RETRY_MAX_SECONDS * 1000, giveUpAfterMs: e.WEBHOOK_GIVE_UP_AFTER_HOURS * 3600 * 1000 },
      relayIntervalMs: e.WEBHOOK_RELAY_INTERVAL_MS,
      retentionDays: e.WEBHOOK_RETENTION_DAYS,
    },
  };
}

/**
 * The Temporal profile from the given environment (never process.env behind our back). Blank
 * variables count as unset, as everywhere here, rather than overriding the profile with ''.
 */
function temporalProfileOf(env: NodeJS.ProcessEnv): ClientConfigProfile {
  const given = Object.fromEntries(
    Object.entries(env).flatMap(([k, v]) => (v === undefined || v.trim() === '' ? [] : [[k, v.trim()]])),
  );
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: given });
  } catch (e) {
    // A TOML syntax error or a TEMPORAL_PROFILE the file does not have.
    const where = given.TEMPORAL_PROFILE ? 'TEMPORAL_PROFILE' : 'TEMPORAL_CONFIG_FILE';
    throw new ConfigurationError(`${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isHostPort(profile.address)) throw new ConfigurationError(`the Temporal profile's address ${HOST_PORT}`);
  if (profile.namespace === '') throw new ConfigurationError("the Temporal profile's namespace must not be empty");
  // envconfig would silently connect without a client certificate if only one half is given.
  if (Boolean(profile.tls?.clientCert) !== Boolean(profile.tls?.clientKey)) {
    throw new ConfigurationError('TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (or a profile\'s client_cert_* and client_key_*) must be set together');
  }
  return profile;
}

/** The URL of the embedded server `npm start` runs, so the CLI finds it without configuration. */
export function embeddedDatabaseUrl(port: number, database = 'offboarding'): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;
}

export function databaseUrlOf(settings: Settings): string {
  return settings.databaseUrl ?? embeddedDatabaseUrl(settings.embeddedPgPort);
}

export function temporalAddressOf(settings: Settings): string {
  return settings.temporalAddress ?? `127.0.0.1:${settings.temporalPort}`;
}
