// How the Temporal connection settings map onto connection options (temporal/connection-options.ts,
// through @temporalio/envconfig): every variable docs/configuration.md lists, profiles in a temporal.toml, and
// the variables overriding the profile. No server: the options themselves are checked.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError, loadSettings, projectRoot } from '../config/settings';
import { temporalConnectionOptions } from '../temporal/connection-options';
import { tsEntryArgs } from '../launcher/ts-entry';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-connection-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const ca = file('ca.pem', 'CA CERTIFICATE');
const crt = file('client.pem', 'CLIENT CERTIFICATE');
const key = file('client.key', 'CLIENT KEY');
const bytes = (text: string) => new Uint8Array(Buffer.from(text));

const toml = file(
  'temporal.toml',
  `[profile.default]
address = "default.example.com:7233"
namespace = "from-default-profile"

[profile.cloud]
address = "ns.acct.tmprl.cloud:7233"
namespace = "ns.acct"
api_key = "profile-api-key"

[profile.mtls]
address = "mtls.example.com:7233"
namespace = "mtls"
[profile.mtls.tls]
client_cert_path = "${crt}"
client_key_path = "${key}"
server_ca_cert_path = "${ca}"
server_name = "frontend.mtls.example.com"
`,
);

const optionsOf = (env: Record<string, string>) => {
  const settings = loadSettings(env);
  return { settings, options: temporalConnectionOptions(settings) };
};

describe('Temporal connection settings from the environment', () => {
  it('none: the dev server of `npm start`, without TLS', () => {
    const { settings, options } = optionsOf({});
    expect(settings.temporalAddress).toBeUndefined();
    expect(settings.temporalNamespace).toBe('default');
    expect(options).toEqual({ address: '127.0.0.1:7233' });
    expect(temporalConnectionOptions(loadSettings({ TEMPORAL_PORT: '7999' })).address).toBe('127.0.0.1:7999');
  });

  it('address, namespace and an API key, which turns TLS on', () => {
    const { settings, options } = optionsOf({ TEMPORAL_ADDRESS: 'temporal.example.com:7233', TEMPORAL_NAMESPACE: 'offboarding', TEMPORAL_API_KEY: 'secret-key' });
    expect(settings.temporalAddress).toBe('temporal.example.com:7233');
    expect(settings.temporalNamespace).toBe('offboarding');
    expect(options).toEqual({ address: 'temporal.example.com:7233', apiKey: 'secret-key', tls: true });
  });

  it('mTLS files, the server CA and the server name; any of them turns TLS on', () => {
    const { options } = optionsOf({
      TEMPORAL_ADDRESS: 'temporal.example.com:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: crt,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.example.com',
    });
    expect(options.tls).toEqual({
      serverNameOverride: 'frontend.example.com',
      serverRootCACertificate: bytes('CA CERTIFICATE'),
      clientCertPair: { crt: bytes('CLIENT CERTIFICATE'), key: bytes('CLIENT KEY') },
    });
    expect(optionsOf({ TEMPORAL_TLS_SERVER_NAME: 'frontend.example.com' }).options.tls).toMatchObject({ serverNameOverride: 'frontend.example.com' });
    // The SDK's own switch: an API key without TLS (a local proxy that terminates it).
    expect(optionsOf({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }).options.tls).toBe(false);
  });

  it('blank variables count as unset', () => {
    const { settings, options } = optionsOf({ TEMPORAL_ADDRESS: ' ', TEMPORAL_API_KEY: '', TEMPORAL_TLS_SERVER_NAME: '  ' });
    expect(settings.temporalAddress).toBeUndefined();
    expect(options).toEqual({ address: '127.0.0.1:7233' });
  });

  it('refuses half a client certificate pair, an unreadable file and a malformed address, naming the setting', () => {
    expect(() => loadSettings({ TEMPORAL_TLS_CLIENT_CERT_PATH: crt })).toThrow(/TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH .*together/);
    const missing = path.join(dir, 'missing.pem');
    const settings = loadSettings({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: missing });
    expect(() => temporalConnectionOptions(settings)).toThrow(ConfigurationError);
    expect(() => temporalConnectionOptions(settings)).toThrow(`TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read ${missing} (ENOENT)`);
    expect(() => loadSettings({ TEMPORAL_ADDRESS: 'http://temporal' })).toThrow(/^TEMPORAL_ADDRESS: must be host:port/);
  });
});

describe('Temporal profiles in temporal.toml', () => {
  it('TEMPORAL_CONFIG_FILE without TEMPORAL_PROFILE: the default profile', () => {
    const { settings, options } = optionsOf({ TEMPORAL_CONFIG_FILE: toml });
    expect(settings.temporalAddress).toBe('default.example.com:7233');
    expect(settings.temporalNamespace).toBe('from-default-profile');
    expect(options).toEqual({ address: 'default.example.com:7233' });
  });

  it('a named profile: address, namespace, API key', () => {
    const { settings, options } = optionsOf({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'cloud' });
    expect(settings.temporalNamespace).toBe('ns.acct');
    expect(options).toEqual({ address: 'ns.acct.tmprl.cloud:7233', apiKey: 'profile-api-key', tls: true });
  });

  it("a profile's TLS files", () => {
    const { options } = optionsOf({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'mtls' });
    expect(options.tls).toEqual({
      serverNameOverride: 'frontend.mtls.example.com',
      serverRootCACertificate: bytes('CA CERTIFICATE'),
      clientCertPair: { crt: bytes('CLIENT CERTIFICATE'), key: bytes('CLIENT KEY') },
    });
  });

  it('the variables override the profile, field by field', () => {
    const other = file('other-ca.pem', 'OTHER CA');
    const { settings, options } = optionsOf({
      TEMPORAL_CONFIG_FILE: toml,
      TEMPORAL_PROFILE: 'mtls',
      TEMPORAL_ADDRESS: 'override.example.com:7233',
      TEMPORAL_NAMESPACE: 'override-ns',
      TEMPORAL_API_KEY: 'env-key',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: other,
    });
    expect(settings.temporalAddress).toBe('override.example.com:7233');
    expect(settings.temporalNamespace).toBe('override-ns');
    expect(options).toMatchObject({ address: 'override.example.com:7233', apiKey: 'env-key' });
    expect(options.tls).toEqual({
      serverNameOverride: 'frontend.mtls.example.com',
      serverRootCACertificate: bytes('OTHER CA'),
      clientCertPair: { crt: bytes('CLIENT CERTIFICATE'), key: bytes('CLIENT KEY') },
    });
  });

  it("the user's config folder when no file is named (XDG_CONFIG_HOME/temporalio/temporal.toml)", () => {
    const home = path.join(dir, 'xdg');
    fs.mkdirSync(path.join(home, 'temporalio'), { recursive: true });
    fs.copyFileSync(toml, path.join(home, 'temporalio', 'temporal.toml'));
    expect(optionsOf({ XDG_CONFIG_HOME: home, TEMPORAL_PROFILE: 'cloud' }).options.address).toBe('ns.acct.tmprl.cloud:7233');
    // Without one, no file is looked for at all: the environment alone decides.
    expect(optionsOf({ TEMPORAL_PROFILE: '' }).settings.temporalAddress).toBeUndefined();
  });

  it('refuses an unknown profile and a malformed file, naming the variable', () => {
    expect(() => loadSettings({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'nope' })).toThrow(/^TEMPORAL_PROFILE: Profile 'nope' not found/);
    const broken = file('broken.toml', '[profile.default\naddress = ');
    expect(() => loadSettings({ TEMPORAL_CONFIG_FILE: broken })).toThrow(/^TEMPORAL_CONFIG_FILE: /);
    const badAddress = file('bad-address.toml', '[profile.default]\naddress = "no-port"\n');
    expect(() => loadSettings({ TEMPORAL_CONFIG_FILE: badAddress })).toThrow(/address must be host:port/);
  });
});

describe('the worker', () => {
  it('connects with the same settings as the clients: it reads the TLS files too', () => {
    const missing = path.join(dir, 'no-such-ca.pem');
    const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_TLS_SERVER_CA_CERT_PATH: missing };
    for (const k of ['DATABASE_URL', 'TEMPORAL_CONFIG_FILE', 'TEMPORAL_PROFILE']) delete env[k];
    const r = spawnSync(process.execPath, tsEntryArgs('worker/main.ts'), { cwd: projectRoot, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`error: invalid configuration: TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read ${missing} (ENOENT)`);
  });
});
