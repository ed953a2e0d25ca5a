// IP addresses and CIDR ranges as WEB_TRUSTED_PROXIES lists them (`10.0.0.5`, `10.0.0.0/8`, `::1`,
// `0.0.0.0/0` for every IPv4 peer), parsed by ipaddr.js rather than compared as strings, so a range
// matches the peers in it. Used by the settings (refuse what does not parse, at start-up) and by the
// web app (is this peer one of them).
import ipaddr from 'ipaddr.js';

export type AddressRange = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Only the dotted four-part decimal form: ipaddr.js also reads `127.1` and `0x7f.1`, which nobody means here. */
const addressOf = (text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined => {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return undefined;
};

/** One address (a range of one) or `address/prefix`; undefined when it is neither. */
export function parseAddressRange(text: string): AddressRange | undefined {
  const [address = '', prefix, ...rest] = text.trim().split('/');
  const ip = addressOf(address);
  if (!ip || rest.length > 0) return undefined;
  const bits = ip.kind() === 'ipv4' ? 32 : 128;
  if (prefix === undefined) return [ip, bits];
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) return undefined;
  return [ip, Number(prefix)];
}

/** True when `address` (a socket peer or a hop of X-Forwarded-For) lies in one of `ranges`. */
export function inAddressRanges(address: string, ranges: readonly AddressRange[]): boolean {
  const parsed = addressOf(address.trim());
  if (!parsed) return false;
  // An IPv4 peer of a dual-stack socket arrives as ::ffff:a.b.c.d: it is a.b.c.d.
  const ip = parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress() ? parsed.toIPv4Address() : parsed;
  return ranges.some(([range, bits]) => ip.kind() === range.kind() && ip.match(range, bits));
}
