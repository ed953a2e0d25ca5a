// The data converter of the worker and of every client: they must agree, or one side cannot read
// what the other wrote.
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './payload-codec';
import { parsePayloadKey } from './payload-keys';

/** The codec when a key is configured, otherwise undefined (the SDK's default converter). */
export function dataConverterOf(settings: { payloadKey: string | undefined }): DataConverter | undefined {
  if (!settings.payloadKey) return undefined;
  return { payloadCodecs: [new AesGcmPayloadCodec(parsePayloadKey(settings.payloadKey))] };
}
