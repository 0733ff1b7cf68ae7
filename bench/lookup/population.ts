import { migrateAll } from '../../tools/schemas';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { makeCitizenId, PROVINCES } from '@vss/domain';
import { dropDatabase, ensureDatabase, startEmbeddedPostgres } from '@vss/persistence';
import { benchPki } from '../pki';
import { loadPopulation } from '@vss/synthetic';
import { ApiKeys, CertificateRegistry } from '@vss/api-keys';
import { OperatorsRepository } from '@vss/authority';
import { CertificateAuthority, PKI_FILES } from '@vss/pki';
import { LimitOverrides } from '@vss/limits';

/** The database of a lookup benchmark: a PostgreSQL, a migrated database and a seeded population. */

export interface BenchDatabase {
  url: string;
  /** The server's maintenance database, as its owner. */
  adminUrl: string;
  /** The postmaster's PID when the server is ours (embedded): its CPU is then measured. */
  serverPid?: number;
  close(): Promise<void>;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * A fresh database `bench_lookup_<size>` on DATABASE_URL's server, or on an embedded PostgreSQL
 * in a throwaway folder. With `dataDir`, the embedded server's folder is kept and a database
 * already seeded at this size is reused (for iterating on the gateway, not for recorded runs).
 */
export async function prepareDatabase(options: {
  size: number;
  databaseUrl?: string;
  dataDir?: string;
  /** Server settings for the embedded PostgreSQL (e.g. preloading pg_stat_statements). */
  settings?: Readonly<Record<string, string>>;
}): Promise<BenchDatabase> {
  let adminUrl: string;
  let stop: () => Promise<void> = async () => undefined;
  let serverPid: number | undefined;
  const name = `bench_lookup_${options.size}`;
  if (options.databaseUrl) {
    const url = new URL(options.databaseUrl);
    url.pathname = '/postgres';
    adminUrl = url.toString();
  } else {
    const dataDir = options.dataDir ?? join(tmpdir(), `vss-bench-lookup-${process.pid}`);
    say(`embedded PostgreSQL in ${dataDir}`);
    const embedded = await startEmbeddedPostgres({
      dataDir,
      throwaway: !options.dataDir,
      tls: (await benchPki()).database(),
      settings: options.settings,
    });
    adminUrl = embedded.adminUrl;
    stop = () => embedded.stop();
    const pidFile = join(dataDir, 'postmaster.pid');
    if (existsSync(pidFile)) serverPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const reuse = options.dataDir !== undefined && (await seededCitizens(url.toString())) === options.size;
  if (!reuse) {
    await dropDatabase(adminUrl, name);
    await ensureDatabase(adminUrl, name);
    await migrateAll(url.toString());
    await seed(url.toString(), options.size);
  } else {
    say(`reusing ${name} (already seeded with ${options.size.toLocaleString('en')} citizens)`);
    await migrateAll(url.toString());
  }
  return { url: url.toString(), adminUrl, serverPid, close: stop };
}

async function seededCitizens(url: string): Promise<number | undefined> {
  const pool = new Pool({ connectionString: url, max: 1 });
  pool.on('error', () => undefined);
  try {
    const { rows } = await pool.query(
      `SELECT (value #>> '{}')::int AS n FROM synth.seed_info WHERE key = 'citizens'`,
    );
    return rows[0]?.n;
  } catch {
    return undefined;
  } finally {
    await pool.end();
  }
}

async function seed(url: string, citizens: number): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 4 });
  try {
    let last = 0;
    const report = await loadPopulation(pool, {
      citizens,
      seed: 42,
      onProgress: (p) => {
        if (p.elapsedMs - last > 10_000) {
          last = p.elapsedMs;
          say(
            `  seeding: ${p.citizensDone.toLocaleString('en')} / ${p.citizensTotal.toLocaleString('en')} citizens`,
          );
        }
      },
    });
    say(
      `seeded ${citizens.toLocaleString('en')} citizens (${report.totalRows.toLocaleString('en')} rows) in ${report.seconds.toFixed(0)} s`,
    );
  } finally {
    await pool.end();
  }
}

export interface SampledIds {
  covered: string[];
  expired: string[];
  deceased: string[];
  unknown: string[];
}

/** Citizen IDs of each kind the benchmark mixes, drawn at random from the seeded population. */
export async function sampleIds(
  url: string,
  perKind: Record<keyof SampledIds, number>,
  today: string,
): Promise<SampledIds> {
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    const pick = async (where: string, n: number) => {
      const { rows } = await pool.query<{ citizen_id: string }>(
        `SELECT p.citizen_id FROM vss.participants p JOIN vss.hi_cards c USING (social_insurance_code)
          WHERE p.citizen_id IS NOT NULL AND ${where} ORDER BY random() LIMIT $2`,
        [today, n],
      );
      return [...new Set(rows.map((r) => r.citizen_id))];
    };
    const covered = await pick(
      `p.deceased_on IS NULL AND NOT c.suspended AND c.valid_from <= $1::date AND (c.valid_to IS NULL OR c.valid_to >= $1::date)
`,
      perKind.covered,
    );
    const expired = await pick(`p.deceased_on IS NULL AND c.valid_to < $1::date`, perKind.expired);
    const deceased = await pick(`p.deceased_on < $1::date`, perKind.deceased);
    return { covered, expired, deceased, unknown: await unknownIds(pool, perKind.unknown) };
  } finally {
    await pool.end();
  }
}

/** Well-formed IDs that nobody in VSS holds. */
async function unknownIds(pool: Pool, n: number): Promise<string[]> {
  const found = new Set<string>();
  let serial = 987_654;
  while (found.size < n) {
    const candidates = Array.from({ length: n - found.size + 100 }, (_, i) =>
      makeCitizenId({
        provinceCode: PROVINCES[i % PROVINCES.length].code,
        gender: i % 2 === 0 ? 'MALE' : 'FEMALE',
        birthYear: 1950 + (i % 70),
        serial: (serial = (serial * 7919 + 13) % 1_000_000),
      }),
    );
    const { rows } = await pool.query<{ citizen_id: string }>(
      'SELECT citizen_id FROM vss.participants WHERE citizen_id = ANY($1::text[])',
      [candidates],
    );
    const taken = new Set(rows.map((r) => r.citizen_id));
    for (const id of candidates) if (!taken.has(id) && found.size < n) found.add(id);
  }
  return [...found];
}

/** A clinic key for the first facility: what the benchmark's client calls with. */
export async function clinicKey(url: string): Promise<{ apiKey: string; facilityCode: string }> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const { rows } = await pool.query(
      'SELECT facility_code FROM vss.facilities ORDER BY facility_code LIMIT 1',
    );
    const facilityCode: string = rows[0].facility_code;
    const issued = await new ApiKeys(pool).issue({ role: 'clinic', facilityCode, label: 'bench:lookup' });
    // The load generator floods by design: limits it cannot reach, so that every lookup pays the
    // limiter's full work (bucket, quota, calls at once) and none is refused.
    await new LimitOverrides(pool).set(
      issued.keyId,
      'rate=100000000,burst=100000000,daily=100000000000,calls=1000000,streams=1000000',
      'bench:lookup',
    );
    return { apiKey: issued.apiKey, facilityCode };
  } finally {
    await pool.end();
  }
}

/**
 * A client certificate of the run's CA registered to a named operator: what the gateways'
 * operator port admits for /metrics.
 */
export async function metricsCertificate(
  url: string,
  pkiDir: string,
): Promise<{ cert: Buffer; key: Buffer }> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const login = 'bench.metrics';
    const operators = new OperatorsRepository(pool);
    // A reused database has it from an earlier run.
    if (!(await operators.find(login))) {
      await operators.add({
        login,
        displayName: 'bench:lookup metrics',
        roles: ['operator'],
        by: 'bench:lookup',
      });
    }
    const authority = await CertificateAuthority.load(
      readFileSync(join(pkiDir, PKI_FILES.caCertificate), 'utf8'),
      readFileSync(join(pkiDir, PKI_FILES.caKey), 'utf8'),
    );
    const subject = { member: 'VSS', subsystem: 'bench-metrics', commonName: login };
    const issued = await authority.issue({ subject, purpose: 'client', validityDays: 1 });
    await new CertificateRegistry(pool).register({
      fingerprint256: issued.fingerprint256,
      serialNumber: issued.serialNumber,
      subject: issued.subject,
      member: subject.member,
      subsystem: subject.subsystem,
      role: 'admin',
      label: 'bench:lookup metrics',
      notAfter: issued.notAfter,
      operatorLogin: login,
    });
    return { cert: Buffer.from(issued.certificatePem), key: Buffer.from(issued.privateKeyPem) };
  } finally {
    await pool.end();
  }
}

/** Coverage lookups recorded so far: every answer must have its entry. */
export async function auditCount(url: string): Promise<number> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM vss.audit_events WHERE action = 'coverage.lookup'`,
    );
    return rows[0].n;
  } finally {
    await pool.end();
  }
}
