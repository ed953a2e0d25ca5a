// How the worker and every client connect to Temporal: the same address, API key, TLS and gRPC
// metadata for all of them, from the envconfig profile that config/settings.ts loaded. The TLS
// files are read here, when a connection is made, so a command that never dials Temporal never
// trips over them.
import { toClientOptions } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { ConfigurationError, type Settings, temporalAddressOf } from '../config/settings';

/** Accepted by both Connection.connect (clients) and NativeConnection.connect (the worker). */
export type TemporalConnectionOptions = Required<Pick<NativeConnectionOptions, 'address'>> &
  Pick<NativeConnectionOptions, 'tls' | 'apiKey' | 'metadata'>;

/** The setting each TLS file comes from, to name it when the file cannot be read. */
const TLS_FILE_SETTINGS = {
  clientCert: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  clientKey: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  serverCACert: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
} as const;

/**
 * Options for `address` (default: the configured one). TLS is on when the profile configures any of
 * it or an API key is given (TEMPORAL_TLS=false turns it off), as the SDK's envconfig decides.
 */
export function temporalConnectionOptions(settings: Settings, address = temporalAddressOf(settings)): TemporalConnectionOptions {
  let options: NativeConnectionOptions;
  try {
    options = toClientOptions(settings.temporalProfile).connectionOptions;
  } catch (e) {
    const file = (e as NodeJS.ErrnoException).path;
    const tls = settings.temporalProfile.tls ?? {};
    const setting = (Object.keys(TLS_FILE_SETTINGS) as (keyof typeof TLS_FILE_SETTINGS)[]).find((k) => {
      const source = tls[k];
      return source !== undefined && 'path' in source && source.path === file;
    });
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigurationError(`${setting ? TLS_FILE_SETTINGS[setting] : 'TLS file'}: cannot read ${file ?? 'a TLS file'} (${code})`);
  }
  return {
    address,
    ...(options.tls !== undefined ? { tls: options.tls } : {}),
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
  };
}
