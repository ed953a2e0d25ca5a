// WEB_TRUSTED_PROXIES (issue 21, item 10): addresses and CIDR ranges parsed by ipaddr.js, so
// `0.0.0.0/0` trusts every IPv4 peer and `10.0.0.0/8` the peers in it, where a string comparison
// trusted nobody; anything that is neither is refused at start-up with a message naming the setting.
import { describe, expect, it } from 'vitest';
import { clientAddress, fromTrustedProxy } from '../client/web/client-address';
import { checkWebSettings } from '../client/web/server';
import { ConfigurationError, loadSettings } from '../config/settings';
import { WEB_TEST_SECRET } from './helpers/web-stack';

const settingsWith = (proxies: string) => loadSettings({ WEB_TRUSTED_PROXIES: proxies });

describe('WEB_TRUSTED_PROXIES', () => {
  it('reads addresses and CIDR ranges, IPv4 and IPv6', () => {
    expect(settingsWith(' 10.0.0.5, 10.0.0.0/8 ,::1, 0.0.0.0/0, fd00::/8 ').web.trustedProxies).toEqual(['10.0.0.5', '10.0.0.0/8', '::1', '0.0.0.0/0', 'fd00::/8']);
    expect(settingsWith('').web.trustedProxies).toEqual([]);
  });

  it('0.0.0.0/0 trusts every IPv4 peer (also as a dual-stack socket shows it), a range the peers in it', () => {
    expect(fromTrustedProxy('203.0.113.9', ['0.0.0.0/0'])).toBe(true);
    expect(fromTrustedProxy('::ffff:203.0.113.9', ['0.0.0.0/0'])).toBe(true);
    expect(fromTrustedProxy('10.1.2.3', ['10.0.0.0/8'])).toBe(true);
    expect(fromTrustedProxy('11.1.2.3', ['10.0.0.0/8'])).toBe(false);
    expect(fromTrustedProxy('fd00::17', ['fd00::/8'])).toBe(true);
    expect(fromTrustedProxy('::1', ['127.0.0.1'])).toBe(false);
    expect(fromTrustedProxy(undefined, ['0.0.0.0/0'])).toBe(false);
    // The nearest hop outside the ranges is the client.
    expect(clientAddress('10.0.0.2', '198.51.100.7, 10.0.0.9', ['10.0.0.0/8'])).toBe('198.51.100.7');
    expect(clientAddress('192.0.2.1', '198.51.100.7', ['10.0.0.0/8'])).toBe('192.0.2.1');
  });

  it.each(['localhost', 'proxy.internal', '10.0.0.0/33', '127.1', '0x7f.0.0.1', '10.0.0.1/8/9', '300.1.1.1', '10.0.0.0/abc'])(
    'refuses %j at start-up, naming the setting',
    (entry) => {
      expect(() => settingsWith(`10.0.0.5,${entry}`)).toThrow(ConfigurationError);
      expect(() => settingsWith(`10.0.0.5,${entry}`)).toThrow(/^WEB_TRUSTED_PROXIES: .*not an IP address or CIDR range/);
      // Settings built in code (tests, embedders) are checked again by the web server.
      const web = { ...settingsWith('').web, linkSecret: WEB_TEST_SECRET, auth: 'trusted-header' as const, trustedProxies: [entry] };
      expect(() => checkWebSettings(web)).toThrow(/^WEB_TRUSTED_PROXIES: .*not an IP address or CIDR range/);
    },
  );
});
