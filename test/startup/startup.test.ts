import { startAppProcess } from '../support/processes';
import { pkiFile } from '../support/tls';

describe('start-up', () => {
  it.each(['gateway', 'worker', 'population-registry'] as const)(
    'the %s exits at once with one clear line when DATABASE_URL points nowhere',
    async (app) => {
      const proc = startAppProcess(app, { DATABASE_URL: 'postgres://vss:secret@127.0.0.1:1/vss' });
      const { code } = await proc.exited();
      expect(code).toBe(1);
      const lines = proc.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^${app}: cannot start: cannot reach the database at postgres://vss:\\*\\*\\*@127\\.0\\.0\\.1:1/vss`,
        ),
      );
      expect(lines[0]).not.toContain('secret');
    },
  );

  it('lists every malformed variable when the configuration is invalid', async () => {
    const proc = startAppProcess('gateway', {
      DATABASE_URL: 'mysql://nope',
      GATEWAY_GRPC_PORT: 'seventy',
      LOG_LEVEL: 'chatty',
    });
    const { code } = await proc.exited();
    expect(code).toBe(1);
    const out = proc.output();
    expect(out).toMatch(/^gateway: cannot start: invalid configuration: /);
    expect(out).toContain('DATABASE_URL');
    expect(out).toContain('GATEWAY_GRPC_PORT');
    expect(out).toContain('LOG_LEVEL');
  });

  it('explains how to run an app alone when DATABASE_URL is missing', async () => {
    const proc = startAppProcess('worker', {});
    expect((await proc.exited()).code).toBe(1);
    expect(proc.output()).toMatch(/DATABASE_URL is not set; run the whole system with `npm start`/);
  });

  it.each(['gateway', 'worker', 'population-registry'] as const)(
    'the %s refuses plaintext and the default database password when bound beyond loopback, naming them',
    async (app) => {
      const proc = startAppProcess(app, {
        DATABASE_URL: 'postgres://vss:vss@127.0.0.1:1/vss',
        BIND_HOST: '0.0.0.0',
        VSS_PLAINTEXT: 'true',
      });
      expect((await proc.exited()).code).toBe(1);
      const out = proc.output();
      expect(out).toMatch(
        /VSS_PLAINTEXT: plaintext is a development switch and is refused when BIND_HOST=0\.0\.0\.0/,
      );
      expect(out).toMatch(/DATABASE_URL: an empty or default database password is refused/);
      expect(out).not.toContain('vss:vss');
    },
  );

  it('refuses plaintext with NODE_ENV=production even on loopback', async () => {
    const proc = startAppProcess('population-registry', {
      DATABASE_URL: 'postgres://vss:7f3c9a1e5b2d8c4f@127.0.0.1:1/vss',
      VSS_PLAINTEXT: 'true',
      NODE_ENV: 'production',
    });
    expect((await proc.exited()).code).toBe(1);
    expect(proc.output()).toMatch(/VSS_PLAINTEXT: .* refused when NODE_ENV=production/);
    expect(proc.output()).not.toMatch(/DATABASE_URL: an empty or default/);
  });

  it.each(['gateway', 'worker', 'population-registry'] as const)(
    'the %s refuses to start without its certificate, naming the variable and the command that makes one',
    async (app) => {
      const proc = startAppProcess(app, {
        DATABASE_URL: 'postgres://vss:7f3c9a1e5b2d8c4f@127.0.0.1:1/vss',
        TLS_CERT_FILE: '/nonexistent/vss.crt',
      });
      expect((await proc.exited()).code).toBe(1);
      expect(proc.output()).toMatch(
        /TLS_CERT_FILE: \/nonexistent\/vss\.crt does not exist; create the certificates with `npm run cli -- certs init`/,
      );
    },
  );

  it('refuses a gateway whose audit signing key is missing', async () => {
    const proc = startAppProcess('gateway', {
      DATABASE_URL: 'postgres://vss:7f3c9a1e5b2d8c4f@127.0.0.1:1/vss',
      AUDIT_SIGNING_KEY_FILE: '/nonexistent/audit-signing.key',
    });
    expect((await proc.exited()).code).toBe(1);
    expect(proc.output()).toMatch(/AUDIT_SIGNING_KEY_FILE: \/nonexistent\/audit-signing\.key does not exist/);
  });

  it('starts past the secret checks with real secrets beyond loopback (and stops at the unreachable database)', async () => {
    const proc = startAppProcess('worker', {
      DATABASE_URL: `postgres://vss:7f3c9a1e5b2d8c4f@127.0.0.1:1/vss?sslmode=verify-full&sslrootcert=${pkiFile('ca.crt')}`,
      BIND_HOST: '0.0.0.0',
    });
    expect((await proc.exited()).code).toBe(1);
    expect(proc.output()).toMatch(/cannot reach the database/);
  });

  it('takes a worker whose links lead off the machine for deployed: no plaintext registry, no unverified database', async () => {
    const proc = startAppProcess('worker', {
      DATABASE_URL: 'postgres://vss:7f3c9a1e5b2d8c4f@db.vss.internal:5432/vss?sslmode=require',
      REGISTRY_ADDRESS: 'npd.internal:50052',
      VSS_PLAINTEXT: 'true',
    });
    expect((await proc.exited()).code).toBe(1);
    const out = proc.output();
    expect(out).toMatch(
      /VSS_PLAINTEXT: .* refused when DATABASE_URL leads off this machine \(db\.vss\.internal\)/,
    );
    expect(out).toMatch(/DATABASE_URL: the database link must be TLS with the server verified/);
    expect(out).not.toContain('7f3c9a1e5b2d8c4f');
  });
});
