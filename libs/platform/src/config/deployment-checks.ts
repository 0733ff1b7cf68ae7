/*
 * What a process deployed (rather than on a laptop) must not run with: plaintext, default
 * database passwords, an unverified database link, reflection to anyone. Read by loadConfig.
 */

/** The settings the deployment checks read. */
export interface SecretBearing {
  BIND_HOST?: string;
  OPERATOR_BIND_HOST?: string;
  DATABASE_URL?: string;
  REGISTRY_ADDRESS?: string;
  VSS_PLAINTEXT?: boolean;
}

/** Database passwords a laptop may use and a deployment must not: the defaults of our examples. */
const KNOWN_DB_PASSWORDS = new Set(['', 'postgres', 'vss', 'password', 'secret', 'change-me']);
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** The host of a `postgres://` URL or a `host:port` address; undefined when it names none. */
function hostOf(address: string, kind: 'url' | 'address'): string | undefined {
  try {
    const host = kind === 'url' ? new URL(address).hostname : new URL(`grpc://${address}`).hostname;
    return host.replace(/^\[|\]$/g, '') || undefined;
  } catch {
    return undefined;
  }
}

/**
 * What makes this process deployed rather than a laptop's, in words for a message: NODE_ENV, a
 * listener off loopback, or a link to a database or registry off loopback (a worker serves no
 * port, yet a remote link is a deployment's). Undefined on a laptop.
 */
function deployedBecause(config: SecretBearing, nodeEnv: string | undefined): string | undefined {
  if (nodeEnv === 'production') return 'NODE_ENV=production';
  for (const name of ['BIND_HOST', 'OPERATOR_BIND_HOST'] as const) {
    const host = config[name];
    if (host !== undefined && !LOOPBACK.has(host)) return `${name}=${host} is not loopback`;
  }
  const links = [
    ['DATABASE_URL', config.DATABASE_URL && hostOf(config.DATABASE_URL, 'url')],
    ['REGISTRY_ADDRESS', config.REGISTRY_ADDRESS && hostOf(config.REGISTRY_ADDRESS, 'address')],
  ] as const;
  for (const [name, host] of links) {
    if (host && !LOOPBACK.has(host)) return `${name} leads off this machine (${host})`;
  }
  return undefined;
}

/**
 * Outside a laptop — NODE_ENV=production, a listener on anything but loopback, or a link to a
 * database or registry elsewhere — plaintext, a default database password and a database link
 * without verified TLS are refused at start-up, each named, never its value (missing
 * certificates are refused by tlsFiles, missing audit keys by the gateway). On a laptop
 * `npm start` works without set-up.
 */
export function defaultSecrets(config: SecretBearing, nodeEnv: string | undefined): string[] {
  const why = deployedBecause(config, nodeEnv);
  if (why === undefined) return [];
  const problems: string[] = [];
  if (config.VSS_PLAINTEXT) {
    problems.push(`VSS_PLAINTEXT: plaintext is a development switch and is refused when ${why}`);
  }
  if (config.DATABASE_URL) {
    let password: string | undefined;
    try {
      password = decodeURIComponent(new URL(config.DATABASE_URL).password);
    } catch {
      password = undefined;
    }
    if (password !== undefined && KNOWN_DB_PASSWORDS.has(password)) {
      problems.push(`DATABASE_URL: an empty or default database password is refused when ${why}`);
    }
    if (databaseSslMode(config.DATABASE_URL) !== 'verify-full') {
      problems.push(
        `DATABASE_URL: the database link must be TLS with the server verified when ${why}: ` +
          'add sslmode=verify-full&sslrootcert=<the CA certificate file> to the URL',
      );
    }
  }
  return problems;
}

/** Whether a server offers gRPC reflection: as GRPC_REFLECTION says, else only on a laptop. */
export function grpcReflection(
  config: SecretBearing & { GRPC_REFLECTION?: boolean; NODE_ENV?: string },
): boolean {
  return config.GRPC_REFLECTION ?? !isDeployed(config, config.NODE_ENV);
}

/**
 * True when deployed — NODE_ENV is production, something listens off loopback, or a link leads off
 * the machine — and so no laptop allowance holds; false on a laptop.
 */
export function isDeployed(config: SecretBearing, nodeEnv: string | undefined): boolean {
  return deployedBecause(config, nodeEnv) !== undefined;
}

/** The `sslmode` a `postgres://` URL asks for (undefined when none, or not a URL). */
export function databaseSslMode(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('sslmode') ?? undefined;
  } catch {
    return undefined;
  }
}
