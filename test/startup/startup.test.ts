import { startAppProcess } from '../support/processes';

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
    'the %s refuses the default peer token and database password when bound beyond loopback, naming them',
    async (app) => {
      const proc = startAppProcess(app, {
        DATABASE_URL: 'postgres://vss:vss@127.0.0.1:1/vss',
        BIND_HOST: '0.0.0.0',
      });
      expect((await proc.exited()).code).toBe(1);
      const out = proc.output();
      expect(out).toMatch(
        /REGISTRY_PEER_TOKEN: a default, empty or short peer token is refused when BIND_HOST=0\.0\.0\.0/,
      );
      expect(out).toMatch(/DATABASE_URL: an empty or default database password is refused/);
      expect(out).not.toContain('dev-registry-peer-token');
    },
  );

  it('refuses an empty peer token with NODE_ENV=production even on loopback', async () => {
    const proc = startAppProcess('population-registry', {
      DATABASE_URL: 'postgres://vss:7f3c9a1e5b2d8c4f@127.0.0.1:1/vss',
      REGISTRY_PEER_TOKEN: '',
      NODE_ENV: 'production',
    });
    expect((await proc.exited()).code).toBe(1);
    expect(proc.output()).toMatch(/REGISTRY_PEER_TOKEN: .* refused when NODE_ENV=production/);
    expect(proc.output()).not.toMatch(/DATABASE_URL: an empty or default/);
  });

  it('starts past the secret check with real secrets beyond loopback (and stops at the unreachable database)', async () => {
    const proc = startAppProcess('worker', {
      DATABASE_URL: 'postgres://vss:7f3c9a1e5b2d8c4f@127.0.0.1:1/vss',
      REGISTRY_PEER_TOKEN: 'q8Zr2mVt5yXk1nB7cD4fG6hJ9',
      BIND_HOST: '0.0.0.0',
    });
    expect((await proc.exited()).code).toBe(1);
    expect(proc.output()).toMatch(/cannot reach the database/);
  });
});
