// The keys of payload encryption: 32 random bytes each, given in base64 (`openssl rand -base64 32`).
// A key is named by a hash of itself, so a payload can say which key encrypted it without anyone
// having to name keys by hand, and a reader without that key can say so instead of failing in GCM.
import { createHash } from 'node:crypto';

export const PAYLOAD_KEY_BYTES = 32;

/** Parses a base64 key; throws unless it is exactly 32 bytes. */
export function parsePayloadKey(base64: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== PAYLOAD_KEY_BYTES) {
    throw new Error(`the payload key must be ${PAYLOAD_KEY_BYTES} bytes in base64 (got ${key.length} bytes)`);
  }
  return key;
}

/** The first 16 hex digits of the key's SHA-256: written beside each payload, never secret. */
export function payloadKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** The key that encrypts, and every key that decrypts (that one included), by key ID. */
export type PayloadKeyRing = {
  current: { id: string; key: Buffer };
  byId: ReadonlyMap<string, Buffer>;
};

export function payloadKeyRing(current: Buffer, previous: readonly Buffer[] = []): PayloadKeyRing {
  const byId = new Map<string, Buffer>();
  for (const key of [current, ...previous]) {
    if (key.length !== PAYLOAD_KEY_BYTES) throw new Error(`AES-256-GCM needs a ${PAYLOAD_KEY_BYTES}-byte key`);
    byId.set(payloadKeyId(key), key);
  }
  return { current: { id: payloadKeyId(current), key: current }, byId };
}
