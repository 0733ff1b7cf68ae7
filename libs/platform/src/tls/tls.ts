import {
  type ChannelCredentials,
  credentials,
  experimental,
  type ServerCredentials,
  ServerCredentials as GrpcServerCredentials,
} from '@grpc/grpc-js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Server as HttpsServer, ServerOptions as HttpsOptions } from 'node:https';
import { join, resolve } from 'node:path';
import { ConfigError } from '../config/config';

/** What an app's configuration says about its TLS files. */
export interface TlsConfig {
  VSS_DATA_DIR: string;
  VSS_PLAINTEXT: boolean;
  TLS_CA_FILE?: string;
  TLS_CERT_FILE?: string;
  TLS_KEY_FILE?: string;
}

/** An app's certificate, its key and the CA it trusts, as files (re-read when they change). */
export interface TlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** How often certificate files are read again, so that a renewed certificate is served without a restart. */
const REFRESH_MS = 60_000;

/**
 * The TLS files of an app: the variables when set, otherwise `<VSS_DATA_DIR>/pki/<app>.crt`
 * and `.key` with the folder's `ca.crt` (what `npm start` and `certs init` write). Undefined
 * when plaintext was asked for (a development switch; refused off loopback by loadConfig). A
 * missing file stops the start-up with the variable named.
 */
export function tlsFiles(config: TlsConfig, app: string): TlsFiles | undefined {
  if (config.VSS_PLAINTEXT) return undefined;
  const pki = join(resolve(config.VSS_DATA_DIR), 'pki');
  const files: TlsFiles = {
    caFile: resolve(config.TLS_CA_FILE ?? join(pki, 'ca.crt')),
    certFile: resolve(config.TLS_CERT_FILE ?? join(pki, `${app}.crt`)),
    keyFile: resolve(config.TLS_KEY_FILE ?? join(pki, `${app}.key`)),
  };
  const problems: string[] = [];
  for (const [variable, path] of [
    ['TLS_CA_FILE', files.caFile],
    ['TLS_CERT_FILE', files.certFile],
    ['TLS_KEY_FILE', files.keyFile],
  ] as const) {
    if (!existsSync(path) || !statSync(path).isFile()) {
      problems.push(
        `${variable}: ${path} does not exist; create the certificates with \`npm run cli -- certs init\` or point ${variable} at yours`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return files;
}

/**
 * A provider that re-reads the files every minute, with its first read done: grpc-js reads
 * them asynchronously when a listener arrives, and a handshake before that read would fail.
 * The provider keeps what it read for the server or channel that takes it next.
 */
async function watcher(files: TlsFiles): Promise<experimental.FileWatcherCertificateProvider> {
  const provider = new experimental.FileWatcherCertificateProvider({
    caCertificateFile: files.caFile,
    certificateFile: files.certFile,
    privateKeyFile: files.keyFile,
    refreshIntervalMs: REFRESH_MS,
  });
  await new Promise<void>((resolve, reject) => {
    const listener = (update: unknown) => {
      provider.removeIdentityCertificateListener(listener);
      if (update) resolve();
      else reject(new ConfigError([`TLS_CERT_FILE: ${files.certFile} or its key could not be read`]));
    };
    provider.addIdentityCertificateListener(listener);
  });
  return provider;
}

/**
 * A gRPC server's credentials. Client certificates are always asked for; with
 * `requireClientCertificate` a connection without a valid one fails its handshake (the registry
 * stub), without it the call goes on to the guard, which takes a certificate only when TLS
 * verified it and otherwise wants an API key (the gateway).
 */
export async function grpcServerCredentials(
  files: TlsFiles | undefined,
  options: { requireClientCertificate: boolean },
): Promise<ServerCredentials> {
  if (!files) return GrpcServerCredentials.createInsecure();
  const provider = await watcher(files);
  return experimental.createCertificateProviderServerCredentials(
    provider,
    provider,
    options.requireClientCertificate,
  );
}

/** A gRPC client's credentials: the server verified against the CA, our certificate presented. */
export async function grpcChannelCredentials(files: TlsFiles | undefined): Promise<ChannelCredentials> {
  if (!files) return credentials.createInsecure();
  const provider = await watcher(files);
  return experimental.createCertificateProviderChannelCredentials(provider, provider);
}

/**
 * HTTPS options of the HTTP facade: a client certificate is asked for but not required (API
 * keys are the other way in); the guard accepts only one the TLS layer verified.
 */
export function httpsOptions(files: TlsFiles): HttpsOptions {
  return {
    ca: readFileSync(files.caFile),
    cert: readFileSync(files.certFile),
    key: readFileSync(files.keyFile),
    requestCert: true,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
  };
}

/** Serves renewed certificate files without a restart, like the gRPC listener. */
export function refreshHttpsCertificates(server: HttpsServer, files: TlsFiles): () => void {
  let last = stamp(files);
  const timer = setInterval(() => {
    const now = stamp(files);
    if (now === last) return;
    try {
      server.setSecureContext(httpsOptions(files));
      last = now;
    } catch {
      // a half-written file: try again at the next tick
    }
  }, REFRESH_MS);
  timer.unref();
  return () => clearInterval(timer);
}

function stamp(files: TlsFiles): string {
  return [files.caFile, files.certFile, files.keyFile]
    .map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0))
    .join(':');
}
