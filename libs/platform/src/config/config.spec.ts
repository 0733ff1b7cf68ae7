import { ROLE_DEFAULTS } from '@vss/domain';
import { ConfigError, gatewayConfigSchema, loadConfig, loadToolsConfig, workerConfigSchema } from './config';
import { grpcReflection, defaultSecrets, isDeployed } from './deployment-checks';

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration, validated once', () => {
  it("parses each role's limits with the rest, over the role's defaults", () => {
    const config = loadConfig(gatewayConfigSchema, { CALLER_LIMITS_CLINIC: 'daily=50000,streams=off' });
    expect(config.CALLER_LIMITS_CLINIC).toEqual({
      ...ROLE_DEFAULTS.clinic,
      daily: 50_000,
      streams: undefined,
    });
    expect(config.CALLER_LIMITS_ADMIN).toEqual(ROLE_DEFAULTS.admin);
  });

  it('stops on every bad limit, naming its variable and the part at fault', () => {
    const problems = problemsOf(() =>
      loadConfig(gatewayConfigSchema, { CALLER_LIMITS_CLINIC: 'speed=3', CALLER_LIMITS_ADMIN: 'burst=off' }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^CALLER_LIMITS_CLINIC: "speed" is not a limit/),
      expect.stringMatching(/^CALLER_LIMITS_ADMIN: rate and burst go together/),
    ]);
  });

  it("gives the worker's audit batching and both apps' queue settings from the environment", () => {
    const worker = loadConfig(workerConfigSchema, { AUDIT_FLUSH_MS: '5', QUEUE_POOL_SIZE: '6' });
    expect(worker).toMatchObject({ AUDIT_FLUSH_MS: 5, AUDIT_MAX_BATCH: 500, QUEUE_POOL_SIZE: 6 });
    const gateway = loadConfig(gatewayConfigSchema, {});
    expect(gateway).toMatchObject({
      QUEUE_POOL_SIZE: 2,
      QUEUE_SUPERVISE_SECONDS: 60,
      JOB_EXPIRE_SECONDS: 30,
    });
    expect(problemsOf(() => loadConfig(workerConfigSchema, { AUDIT_MAX_BATCH: '0' }))).toEqual([
      expect.stringMatching(/^AUDIT_MAX_BATCH: /),
    ]);
  });

  it("reads the tools' variables through their schema, and names a bad one", () => {
    expect(loadToolsConfig({ VSS_PLAINTEXT: 'yes', VSS_DEMO_CITIZENS: '2000' })).toMatchObject({
      VSS_PLAINTEXT: true,
      VSS_DEMO_CITIZENS: 2000,
      VSS_DATA_DIR: '.data',
    });
    expect(problemsOf(() => loadToolsConfig({ VSS_DEMO_CITIZENS: 'many' }))).toEqual([
      expect.stringMatching(/^VSS_DEMO_CITIZENS: /),
    ]);
  });
});

describe('grpcReflection', () => {
  it('is on for a laptop and off when deployed, unless GRPC_REFLECTION says', () => {
    expect(grpcReflection({ BIND_HOST: '127.0.0.1' })).toBe(true);
    expect(grpcReflection({ BIND_HOST: '0.0.0.0' })).toBe(false);
    expect(grpcReflection({ BIND_HOST: '127.0.0.1', NODE_ENV: 'production' })).toBe(false);
    expect(grpcReflection({ BIND_HOST: '0.0.0.0', GRPC_REFLECTION: true })).toBe(true);
    expect(grpcReflection({ BIND_HOST: '127.0.0.1', GRPC_REFLECTION: false })).toBe(false);
  });
});

describe('the checks of a deployed process', () => {
  const STRONG = '7f3c9a1e5b2d8c4f';
  const verified = `postgres://vss_worker:${STRONG}@db.vss.internal:5432/vss?sslmode=verify-full&sslrootcert=/tls/ca.crt`;

  it('takes a worker with links off this machine for deployed, though it listens nowhere', () => {
    expect(isDeployed({ DATABASE_URL: `postgres://u:${STRONG}@127.0.0.1:5432/vss` }, undefined)).toBe(false);
    expect(isDeployed({ REGISTRY_ADDRESS: 'localhost:50052' }, undefined)).toBe(false);
    expect(isDeployed({ REGISTRY_ADDRESS: '[::1]:50052' }, undefined)).toBe(false);
    expect(isDeployed({ DATABASE_URL: verified }, undefined)).toBe(true);
    expect(isDeployed({ REGISTRY_ADDRESS: 'npd.gov.vn:443' }, undefined)).toBe(true);
  });

  it('refuses a database link without verified TLS, plaintext to a remote registry and a default password, naming why', () => {
    const plain = `postgres://vss_worker:postgres@db.vss.internal:5432/vss`;
    const problems = defaultSecrets(
      { DATABASE_URL: plain, REGISTRY_ADDRESS: 'npd.gov.vn:443', VSS_PLAINTEXT: true },
      undefined,
    );
    expect(problems).toEqual([
      'VSS_PLAINTEXT: plaintext is a development switch and is refused when DATABASE_URL leads off this machine (db.vss.internal)',
      'DATABASE_URL: an empty or default database password is refused when DATABASE_URL leads off this machine (db.vss.internal)',
      expect.stringMatching(
        /^DATABASE_URL: the database link must be TLS .* add sslmode=verify-full&sslrootcert=/,
      ),
    ]);
    expect(problems.join(' ')).not.toContain('postgres@');
    for (const mode of ['disable', 'prefer', 'require', 'verify-ca']) {
      const url = verified.replace('verify-full', mode);
      expect(defaultSecrets({ DATABASE_URL: url }, 'production')).toEqual([
        expect.stringMatching(
          /^DATABASE_URL: the database link must be TLS with the server verified when NODE_ENV=production/,
        ),
      ]);
    }
    expect(
      defaultSecrets({ DATABASE_URL: verified, REGISTRY_ADDRESS: 'npd.gov.vn:443' }, 'production'),
    ).toEqual([]);
  });

  it('asks nothing of a laptop', () => {
    expect(
      defaultSecrets(
        { DATABASE_URL: 'postgres://postgres:postgres@127.0.0.1:5432/vss', VSS_PLAINTEXT: true },
        undefined,
      ),
    ).toEqual([]);
  });
});
