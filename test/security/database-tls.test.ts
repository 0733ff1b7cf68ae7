import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Client } from 'pg';
import { CertificateAuthority } from '@vss/pki';
import { waitFor } from '../support/polling';
import { startTestSystem, type TestSystem } from '../support/system';
import { pkiFile } from '../support/tls';

/**
 * The links to PostgreSQL are encrypted, as deployed: the server the tests run on (embedded, as
 * `npm start`'s) serves TLS only with the database certificate of the PKI, every app connects
 * with `sslmode=verify-full`, and PostgreSQL's own view (`pg_stat_ssl`) shows each app backend
 * encrypted. A server at DATABASE_URL is the operator's to configure: these tests need the
 * embedded one.
 */
const onEmbedded = process.env.DATABASE_URL ? describe.skip : describe;

onEmbedded('the links to PostgreSQL', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem('dbtls');
  }, 60_000);
  afterAll(() => system?.stop());

  const withUrl = (mutate: (url: URL) => void) => {
    const url = new URL(system.db.urlFor('gateway'));
    mutate(url);
    return url.toString();
  };

  async function connectError(connectionString: string): Promise<Error & { code?: string }> {
    const client = new Client({ connectionString, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      return error as Error & { code?: string };
    } finally {
      await client.end().catch(() => undefined);
    }
    throw new Error('the connection was accepted');
  }

  it("shows every app's backend encrypted in pg_stat_ssl", async () => {
    const roles = ['gateway', 'worker', 'registry'].map((role) =>
      decodeURIComponent(new URL(system.db.urlFor(role as 'gateway')).username),
    );
    const backends = await waitFor(
      "a backend of each app's login",
      async () =>
        (
          await system.pool.query<{ usename: string; ssl: boolean; version: string | null }>(
            `SELECT a.usename, s.ssl, s.version
               FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid
              WHERE a.datname = $1 AND a.backend_type = 'client backend'`,
            [system.db.name],
          )
        ).rows,
      {
        until: (rows) => roles.every((role) => rows.some((row) => row.usename === role)),
        timeoutMs: 20_000,
      },
    );
    expect(backends.length).toBeGreaterThan(roles.length);
    for (const backend of backends) {
      expect({ login: backend.usename, ssl: backend.ssl, version: backend.version }).toEqual({
        login: backend.usename,
        ssl: true,
        version: 'TLSv1.3',
      });
    }
  });

  it('refuses a connection without TLS, whatever its password', async () => {
    const error = await connectError(withUrl((url) => url.searchParams.set('sslmode', 'disable')));
    expect(error.code).toBe('28000'); // invalid_authorization_specification: pg_hba rejects it
    expect(error.message).toMatch(/no encryption/);
  });

  it('is refused by the app when the server is not the one its CA vouches for', async () => {
    const stranger = await CertificateAuthority.create('Not the VSS CA');
    const file = pkiFile(`stranger-ca-${process.pid}.crt`);
    writeFileSync(file, stranger.certificatePem);
    const error = await connectError(withUrl((url) => url.searchParams.set('sslrootcert', file)));
    expect(error.message).toMatch(/self[- ]signed certificate in certificate chain|unable to verify/);
  });
});
