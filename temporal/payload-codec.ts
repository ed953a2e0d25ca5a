// Optional payload encryption: an AES-256-GCM PayloadCodec, keyed by OFFBOARDING_PAYLOAD_KEY (32 bytes,
// base64). Worker and clients (CLI) use the same codec, so the Temporal server — its history, the Web
// UI, exports — only ever holds ciphertext of workflow inputs, results, activity arguments and update
// payloads. Not for the workflow bundle: codecs run outside the sandbox.
//
//   const dc = dataConverterOf(settings);            // undefined when no key is configured
//   new Client({ connection, namespace, ...(dc ? { dataConverter: dc } : {}) });
//   Worker.create({ …, ...(dc ? { dataConverter: dc } : {}) });
//
// Each payload becomes { metadata: { encoding: 'binary/encrypted', 'encryption-key-id': <id> },
// data: iv(12) | ciphertext | tag(16) } where the plaintext is the original payload (metadata and
// data) serialised as JSON. The key ID (first 16 hex digits of SHA-256 of the key) lets a reader with
// the wrong key fail with a clear message instead of a GCM error.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined): string => (b ? new TextDecoder().decode(b) : '');

/** Parses a base64 key; throws unless it is exactly 32 bytes. */
export function parsePayloadKey(base64: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) throw new Error(`the payload key must be 32 bytes in base64 (got ${key.length} bytes)`);
  return key;
}

export function payloadKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

type Serialized = { m: Record<string, string>; d: string };

export class AesGcmPayloadCodec implements PayloadCodec {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
    this.keyId = payloadKeyId(key);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const plain: Serialized = {
        m: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
        d: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
      };
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
      return {
        metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID]: utf8(this.keyId) },
        data: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (text(p.metadata?.encoding) !== ENCRYPTED_ENCODING) return p; // plaintext (e.g. recorded before a key was set)
      const keyId = text(p.metadata?.[KEY_ID]);
      if (keyId !== this.keyId) {
        throw new Error(`payload encrypted with key ${keyId || '(unknown)'}, but OFFBOARDING_PAYLOAD_KEY is key ${this.keyId}`);
      }
      const data = Buffer.from(p.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      const parsed = JSON.parse(plain.toString('utf8')) as Serialized;
      return {
        metadata: Object.fromEntries(Object.entries(parsed.m).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
        data: new Uint8Array(Buffer.from(parsed.d, 'base64')),
      };
    });
  }
}

/** The data converter for worker and clients: the codec when a key is configured, otherwise undefined. */
export function dataConverterOf(settings: { payloadKey: string | undefined }): DataConverter | undefined {
  if (!settings.payloadKey) return undefined;
  return { payloadCodecs: [new AesGcmPayloadCodec(parsePayloadKey(settings.payloadKey))] };
}
