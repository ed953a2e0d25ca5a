// The client's address, for the sign-in rate limit: the socket's peer, or, when that peer is one of
// WEB_TRUSTED_PROXIES, the nearest untrusted hop of X-Forwarded-For (proxies append to it).
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trustedProxies: readonly string[]): string {
  const normal = (a: string) => a.trim().replace(/^::ffff:/, '');
  const socket = normal(peer ?? 'unknown');
  if (!trustedProxies.includes(socket) || !forwardedFor) return socket;
  const hops = forwardedFor.split(',').map(normal).filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? '';
    if (!trustedProxies.includes(hop)) return hop;
  }
  return socket;
}

/** True when the request came straight from one of the trusted proxies. */
export function fromTrustedProxy(peer: string | undefined, trustedProxies: readonly string[]): boolean {
  return peer !== undefined && trustedProxies.includes(peer.trim().replace(/^::ffff:/, ''));
}
