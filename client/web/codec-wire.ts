// The codec server protocol's body: `{"payloads": [...]}`, each payload the protobuf JSON form of
// temporal.api.common.v1.Payload (metadata values and data in base64). Payloads are kept as the
// client sent them, so one the codec does not touch goes back byte for byte as it came.
import type { Payload } from '@temporalio/common';
import { z } from 'zod';

/** More payloads than any workflow page asks for at once; a larger batch is refused, not queued. */
export const MAX_CODEC_PAYLOADS = 2_000;

// Protobuf JSON writes standard base64 and reads the URL-safe alphabet too.
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

export const wirePayload = z.looseObject({
  metadata: z.record(z.string(), base64).optional(),
  data: base64.optional(),
});
export type WirePayload = z.infer<typeof wirePayload>;

export const codecRequestBody = z.object({ payloads: z.array(wirePayload).max(MAX_CODEC_PAYLOADS, `at most ${MAX_CODEC_PAYLOADS} payloads per request`) });

const bytes = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'));
const b64 = (b: Uint8Array | null | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('base64');

export function fromWire(w: WirePayload): Payload {
  return { metadata: Object.fromEntries(Object.entries(w.metadata ?? {}).map(([k, v]) => [k, bytes(v)])), data: bytes(w.data ?? '') };
}

export function toWire(p: Payload): WirePayload {
  return { metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data) };
}
