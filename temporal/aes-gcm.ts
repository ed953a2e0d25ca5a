// AES-256-GCM with a fresh random 12-byte IV per message: sealed = iv(12) | ciphertext | tag(16),
// with Node's WebCrypto, as temporalio/samples-typescript's encryption sample does.
import { webcrypto } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'AES-GCM';

/** Imported once per key: importKey is asynchronous and the same keys serve every payload. */
const imported = new WeakMap<Buffer, Promise<webcrypto.CryptoKey>>();

function cryptoKeyOf(key: Buffer): Promise<webcrypto.CryptoKey> {
  let cryptoKey = imported.get(key);
  if (!cryptoKey) {
    cryptoKey = webcrypto.subtle.importKey('raw', key, ALGORITHM, false, ['encrypt', 'decrypt']);
    imported.set(key, cryptoKey);
  }
  return cryptoKey;
}

export async function seal(key: Buffer, plain: Uint8Array): Promise<Uint8Array> {
  const iv = webcrypto.getRandomValues(new Uint8Array(IV_BYTES));
  const body = await webcrypto.subtle.encrypt({ name: ALGORITHM, iv, tagLength: TAG_BYTES * 8 }, await cryptoKeyOf(key), plain);
  return new Uint8Array(Buffer.concat([iv, new Uint8Array(body)]));
}

/** Rejects when the data was not sealed with this key or was changed since. */
export async function open(key: Buffer, sealed: Uint8Array): Promise<Uint8Array> {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted payload is truncated');
  const iv = sealed.subarray(0, IV_BYTES);
  const plain = await webcrypto.subtle.decrypt({ name: ALGORITHM, iv, tagLength: TAG_BYTES * 8 }, await cryptoKeyOf(key), sealed.subarray(IV_BYTES));
  return new Uint8Array(plain);
}
