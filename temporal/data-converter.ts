// The data converter of the worker and of every client: they must agree, or one side cannot read
// what the other wrote.
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './payload-codec';
import { parsePayloadKey } from './payload-keys';

export type PayloadKeySettings = {
  /** The key that encrypts (base64); undefined = payloads stay plaintext. */
  payloadKey: string | undefined;
  /** Older keys that still decrypt what they encrypted (rotation), newest first. */
  previousPayloadKeys?: readonly string[];
};

/** The codec when a key is configured, otherwise undefined (the SDK's default converter). */
export function dataConverterOf(settings: PayloadKeySettings): DataConverter | undefined {
  if (!settings.payloadKey) return undefined;
  const previous = (settings.previousPayloadKeys ?? []).map(parsePayloadKey);
  return { payloadCodecs: [new AesGcmPayloadCodec(parsePayloadKey(settings.payloadKey), ...previous)] };
}
