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
