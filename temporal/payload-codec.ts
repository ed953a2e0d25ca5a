// Optional payload encryption: an AES-256-GCM PayloadCodec. Worker and clients (CLI) use the same
// keys, so the Temporal server — its history, the Web UI, exports — only ever holds ciphertext of
// workflow inputs, results, activity arguments and update payloads, and of the Web UI's texts: the
// summaries of activities and timers and the current details (the details hold item titles; the
// SDK sends every payload of a workflow task and of a query answer through the codec). Not for the
// workflow bundle: codecs run outside the sandbox.
//
// Each payload becomes
//   metadata: { encoding: 'binary/encrypted', 'encryption-key-id': <id>, 'encryption-format': 'temporal.api.common.v1.Payload' }
//   data:     iv(12) | AES-256-GCM(the original Payload as length-delimited protobuf) | tag(16)
// as in temporalio/samples-typescript's encryption sample. The key ID (payload-keys.ts) picks the
// key to decrypt with, so keys can rotate: the current key encrypts, every configured key decrypts.
//
// Payloads written before this format (no 'encryption-format') hold the original payload as JSON
// ({ m: metadata in base64, d: data in base64 }); recorded histories and running workflows may
// still carry them, so they are still read (never written).
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, ValueError } from '@temporalio/common';
// The proto package is CommonJS without named exports Node's ESM loader can see: default import.
import proto from '@temporalio/proto';
import { z } from 'zod';
import { open, seal } from './aes-gcm';
import { type PayloadKeyRing, payloadKeyRing } from './payload-keys';

export { parsePayloadKey, payloadKeyId } from './payload-keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const FORMAT = 'encryption-format';
const PROTO_FORMAT = 'temporal.api.common.v1.Payload';

const ProtoPayload = proto.temporal.api.common.v1.Payload;

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined): string => (b ? new TextDecoder().decode(b) : '');

/** The inner format before the protobuf one: metadata and data in base64, as JSON. */
const legacyPlaintext = z.object({ m: z.record(z.string(), z.string()), d: z.string() });

function fromLegacyJson(plain: Uint8Array): Payload {
  const parsed = legacyPlaintext.parse(JSON.parse(text(plain)));
  return {
    metadata: Object.fromEntries(Object.entries(parsed.m).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
    data: new Uint8Array(Buffer.from(parsed.d, 'base64')),
  };
}

/** The SDK's plain Payload shape (as the JSON format gave it), not a protobufjs message with Buffers. */
function fromProto(plain: Uint8Array): Payload {
  const message = ProtoPayload.decodeDelimited(plain);
  return {
    metadata: Object.fromEntries(Object.entries(message.metadata).map(([k, v]) => [k, new Uint8Array(v)])),
    data: new Uint8Array(message.data),
    ...(message.externalPayloads.length > 0 ? { externalPayloads: message.externalPayloads } : {}),
  };
}

export class AesGcmPayloadCodec implements PayloadCodec {
  /** ID of the key that encrypts. */
  readonly keyId: string;
  private readonly keys: PayloadKeyRing;

  /** `current` encrypts; it and every `previous` key decrypt (rotation). */
  constructor(current: Buffer, ...previous: Buffer[]) {
    this.keys = payloadKeyRing(current, previous);
    this.keyId = this.keys.current.id;
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys.current;
    return Promise.all(
      payloads.map(async (p) => ({
        metadata: {
          [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING),
          [KEY_ID]: utf8(id),
          [FORMAT]: utf8(PROTO_FORMAT),
        },
        data: await seal(key, ProtoPayload.encodeDelimited(p).finish()),
      })),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((p) => this.decodeOne(p)));
  }

  private async decodeOne(p: Payload): Promise<Payload> {
    if (text(p.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return p; // plaintext (e.g. recorded before a key was set)
    const keyId = text(p.metadata?.[KEY_ID]);
    if (!keyId) throw new ValueError(`encrypted payload without an ${KEY_ID}: cannot tell which key to decrypt it with`);
    const key = this.keys.byId.get(keyId);
    if (!key) {
      const known = [...this.keys.byId.keys()].join(', ');
      throw new ValueError(
        `payload encrypted with key ${keyId}, which is not one of the configured payload keys (${known}): add it to OFFBOARDING_PAYLOAD_KEYS`,
      );
    }
    const plain = await open(key, p.data ?? new Uint8Array());
    const format = text(p.metadata?.[FORMAT]);
    if (format === PROTO_FORMAT) return fromProto(plain);
    if (format === '') return fromLegacyJson(plain);
    throw new ValueError(`encrypted payload in an unknown format ${JSON.stringify(format)}`);
  }
}
