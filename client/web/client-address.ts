// The client's address, for the sign-in rate limit: the socket's peer, or, when that peer is one of
// WEB_TRUSTED_PROXIES (addresses or CIDR ranges), the nearest untrusted hop of X-Forwarded-For
// (proxies append to it).
import { type AddressRange, inAddressRanges, parseAddressRange } from '../../config/address-ranges';

/** The parsed ranges; the settings refuse an entry that does not parse, so none is dropped here in practice. */
const rangesOf = (trustedProxies: readonly string[]): AddressRange[] =>
  trustedProxies.flatMap((a) => {
    const range = parseAddressRange(a);
    return range ? [range] : [];
  });

export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trustedProxies: readonly string[]): string {
  const normal = (a: string) => a.trim().replace(/^::ffff:/, '');
  const ranges = rangesOf(trustedProxies);
  const socket = normal(peer ?? 'unknown');
  if (!inAddressRanges(socket, ranges) || !forwardedFor) return socket;
  const hops = forwardedFor.split(',').map(normal).filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? '';
    if (!inAddressRanges(hop, ranges)) return hop;
  }
  return socket;
}

/** True when the request came straight from one of the trusted proxies. */
export function fromTrustedProxy(peer: string | undefined, trustedProxies: readonly string[]): boolean {
  return peer !== undefined && inAddressRanges(peer, rangesOf(trustedProxies));
}
