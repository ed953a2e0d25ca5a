// The SSRF guard of webhooks: a subscription's URL may only point at the public internet, unless
// WEBHOOK_ALLOW_PRIVATE_TARGETS says a receiver inside the network is fine. Checked twice: when the
// subscription is made (a clear 422, nothing stored) and at every delivery, where the check is the
// DNS lookup the connection itself uses (guardedLookup), so a name that resolves to a public address
// at subscription time and to 127.0.0.1 later (DNS rebinding) is refused at the moment of connecting,
// not only in a check before it. Only http and https; the delivery never follows redirects.
import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import net from 'node:net';
import { refuse } from '../refusal';

export const MAX_WEBHOOK_URL_LENGTH = 2000;

/**
 * Not the public internet: unspecified, loopback, link-local, private (RFC 1918, fc00::/7), and also
 * shared (CGNAT 100.64.0.0/10), multicast and broadcast, which no receiver should be on either.
 */
const PRIVATE = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['255.255.255.255', 32],
] as const) {
  PRIVATE.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(prefix, bits, 'ipv6');
}

/** True when the address is not on the public internet (IPv4-mapped IPv6 is judged as its IPv4). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  const family = net.isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family === 6) return PRIVATE.check(address, 'ipv6');
  return true; // not an address at all: never a target
}

/** The URL, parsed, if it may be a webhook target at all (scheme, length, no credentials); otherwise a refusal. */
export function parseWebhookUrl(raw: string): URL {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) refuse('INVALID_INPUT', `A webhook URL is at most ${MAX_WEBHOOK_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('INVALID_INPUT', `"${raw.slice(0, 100)}" is not a URL; give an http or https address, e.g. https://hr.example.com/hooks/offboarding.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') refuse('INVALID_INPUT', `A webhook URL is http or https, not ${url.protocol.slice(0, 20)}.`);
  if (url.username !== '' || url.password !== '') refuse('INVALID_INPUT', 'A webhook URL carries no user name or password: receivers verify the signature instead.');
  if (url.hash !== '') refuse('INVALID_INPUT', 'A webhook URL has no #fragment: it is never sent.');
  return url;
}

const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** Refuses the URL unless it is http(s) and every address its host resolves to now is public (or private targets are allowed). */
export async function checkWebhookTarget(raw: string, allowPrivate: boolean): Promise<URL> {
  const url = parseWebhookUrl(raw);
  if (allowPrivate) return url;
  const host = hostOf(url);
  let addresses: LookupAddress[];
  try {
    addresses = await dns.promises.lookup(host, { all: true, verbatim: true });
  } catch {
    return refuse('INVALID_INPUT', `The webhook URL's host ${host.slice(0, 100)} does not resolve; give one that does.`);
  }
  const blocked = addresses.find((a) => isPrivateAddress(a.address));
  if (blocked) {
    refuse(
      'INVALID_INPUT',
      `The webhook URL's host ${host.slice(0, 100)} resolves to ${blocked.address}, a loopback, link-local or private address; webhooks go to the public internet only (WEBHOOK_ALLOW_PRIVATE_TARGETS=true allows such targets). Nothing was stored.`,
    );
  }
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that refuses private addresses: the connection goes to exactly the
 * address checked here. Handles both shapes Node asks for (one address, or all of them).
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses;
      const bad = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (bad) {
        const e: NodeJS.ErrnoException = new Error(`${hostname} resolves to ${bad.address}, a loopback, link-local or private address (WEBHOOK_ALLOW_PRIVATE_TARGETS is not true)`);
        e.code = 'EPRIVATETARGET';
        return callback(e, []);
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      return callback(null, first.address, first.family);
    });
  };
}
