import 'reflect-metadata';
import { Client, Pool } from 'pg';
import { createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { keyIdOf, loadSigningKey, signCheckpoint } from '@vss/audit';
import {
  type AppRole,
  databaseRoles,
  dropDatabase,
  ensureDatabase,
  randomPasswords,
  runStatements,
} from '@vss/persistence';
import { migrateAll, prepareDatabase } from '../../tools/schemas';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { pkiFile } from '../support/tls';

/**
 * Least privilege, proved on the roles the tests run the apps as (made by the same setup as
 * `npm start` and `db setup`): each forbidden statement is tried as each app role and refused
 * with PostgreSQL's insufficient-privilege error, and the apps' everyday statements still work.
 */

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('grants');
});
afterAll(() => db?.drop());

async function as<T>(role: AppRole | 'owner', work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: db.urlFor(role) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The SQLSTATE a statement fails with as that role, or 'ok'. */
async function attempt(role: AppRole, sql: string): Promise<string> {
  return as(role, async (c) => {
    await c.query('BEGIN');
    try {
      await c.query(sql);
      return 'ok';
    } catch (error) {
      return (error as { code?: string }).code ?? 'error';
    } finally {
      await c.query('ROLLBACK');
    }
  });
}

const INSUFFICIENT_PRIVILEGE = '42501';

/** An audit entry appended through the function, for a caller of `role`, dated `at`. */
const appendAs = (role: string, at = new Date().toISOString(), caller = 'c') =>
  `SELECT * FROM vss.audit_append('${JSON.stringify([
    {
      event_id: randomUUID(),
      occurred_at: at,
      caller,
      caller_role: role,
      action: 'a',
      purpose: 'p',
      outcome: 'o',
      detail: {},
    },
  ])}'::jsonb)`;
const stageAs = (role: string, at = new Date().toISOString(), caller = 'c') =>
  appendAs(role, at, caller).replace('SELECT * FROM vss.audit_append', 'SELECT vss.audit_stage');
const MUST_BE_OWNER = '42501';

const AUDIT_TAMPERING = [
  `UPDATE vss.audit_events SET outcome = 'x'`,
  `DELETE FROM vss.audit_events`,
  `TRUNCATE vss.audit_events`,
  `INSERT INTO vss.audit_events (seq, hash, event_id, occurred_at, caller, caller_role, action, purpose, outcome)
     VALUES (999999, decode(repeat('00', 32), 'hex'), gen_random_uuid(), now(), 'x', 'admin', 'x', 'x', 'x')`,
  `ALTER TABLE vss.audit_events DISABLE TRIGGER audit_events_append_only`,
  `DROP TRIGGER audit_events_append_only ON vss.audit_events`,
  `SELECT 1 FROM vss.audit_pending`,
  `DELETE FROM vss.audit_pending`,
  `UPDATE vss.audit_checkpoints SET hash = hash`,
  `DELETE FROM vss.audit_checkpoints`,
  `TRUNCATE vss.audit_checkpoints`,
  // The row that orders appends: holding it would stall every append.
  `SELECT 1 FROM vss.audit_chain_lock FOR UPDATE`,
  `LOCK TABLE vss.audit_chain_lock`,
];

const FORBIDDEN: Record<AppRole, string[]> = {
  registry: [
    `SELECT 1 FROM vss.participants LIMIT 1`,
    `SELECT 1 FROM vss.audit_events LIMIT 1`,
    `SELECT 1 FROM vss.api_keys LIMIT 1`,
    `SELECT 1 FROM pgboss.job LIMIT 1`,
    `SELECT vss.audit_append('[]'::jsonb)`,
    `CREATE TABLE npd.extra (id int)`,
    `CREATE TABLE public.extra (id int)`,
    `ALTER TABLE npd.citizens DISABLE TRIGGER ALL`,
    `DROP TABLE npd.citizens`,
  ],
  gateway: [
    `SELECT 1 FROM npd.citizens LIMIT 1`,
    `SELECT 1 FROM synth.truth LIMIT 1`,
    ...AUDIT_TAMPERING,
    // An admin key, or the security-admin role, only with a second security administrator's approval.
    `INSERT INTO vss.api_keys (key_id, secret_sha256, role, label) VALUES ('x', '\\x00', 'admin', 'x')`,
    `INSERT INTO vss.operators (operator_id, login, display_name, roles, created_by)
       VALUES (gen_random_uuid(), 'zz', 'Z', '{security-admin}', 'x')`,
    `UPDATE vss.api_keys SET label = 'x'`,
    // A person's console credentials are set by the person (enrolment), never removed.
    `DELETE FROM vss.operator_credentials`,
    `UPDATE vss.operators SET login = login`,
    // Money is the worker's and the operators': not a payout's account, not a rate, not arrears.
    `UPDATE vss.funeral_payouts SET account_number = '0000000000'`,
    `INSERT INTO vss.funeral_payouts SELECT * FROM vss.funeral_payouts WHERE false`,
    `UPDATE vss.rates SET amount_vnd = amount_vnd + 1`,
    `DELETE FROM vss.benefit_arrears`,
    `UPDATE vss.funeral_adjustments SET due_vnd = 0`,
    // Nor records, cards or benefits: the worker applies what the gateway asks.
    `UPDATE vss.hi_cards SET ended_on = current_date`,
    `UPDATE vss.benefits SET stopped_from = current_date`,
    `UPDATE vss.benefit_payments SET recovery_flagged_at = now()`,
    `UPDATE vss.participants SET full_name = 'X'`,
    `INSERT INTO vss.hi_cards SELECT * FROM vss.hi_cards WHERE false`,
    `DELETE FROM vss.participants`,
    // An application it asked is the worker's to carry out and report.
    `UPDATE vss.finding_applications SET state = 'DONE'`,
    `CREATE TABLE vss.extra (id int)`,
    `DROP TABLE vss.participants`,
    `ALTER TABLE vss.participants DISABLE TRIGGER ALL`,
  ],
  worker: [
    `SELECT 1 FROM npd.citizens LIMIT 1`,
    ...AUDIT_TAMPERING,
    `SELECT 1 FROM vss.api_keys LIMIT 1`,
    `SELECT 1 FROM vss.client_certificates LIMIT 1`,
    // The worker serves no person: no credentials, no sessions, no reviews; it reads rejections only.
    `SELECT 1 FROM vss.operator_credentials LIMIT 1`,
    `SELECT 1 FROM vss.console_sessions LIMIT 1`,
    `SELECT 1 FROM vss.finding_reviews LIMIT 1`,
    `INSERT INTO vss.rejected_pairs (social_insurance_code, outcome, pair_fingerprint, rejected_by) VALUES ('1', 'o', 'f', 'x')`,
    // It appends to the audit trail and reads none of it; it changes no rate.
    `SELECT 1 FROM vss.audit_events LIMIT 1`,
    `SELECT 1 FROM vss.audit_checkpoints LIMIT 1`,
    `UPDATE vss.rates SET amount_vnd = amount_vnd + 1`,
    `CREATE TABLE vss.extra (id int)`,
    `TRUNCATE vss.participants`,
  ],
};

describe.each(Object.keys(FORBIDDEN) as AppRole[])('the %s role', (role) => {
  it.each(FORBIDDEN[role])(`is refused: %s`, async (sql) => {
    expect([INSUFFICIENT_PRIVILEGE, MUST_BE_OWNER]).toContain(await attempt(role, sql));
  });
});

describe('what the apps do every day still works', () => {
  it.each([
    ['registry', `SELECT count(*) FROM npd.citizens`],
    ['registry', `UPDATE npd.citizens SET full_name = full_name WHERE false`],
    ['gateway', `SELECT count(*) FROM vss.participants`],
    ['gateway', `SELECT count(*) FROM vss.api_keys`],
    ['gateway', `SELECT count(*) FROM vss.audit_events`],
    ['gateway', appendAs('clinic')],
    ['gateway', appendAs('admin')],
    ['worker', appendAs('system')],
    ['gateway', `SELECT count(*) FROM vss.audit_tree_tiles`],
    ['gateway', `SELECT count(*) FROM vss.audit_signing_keys`],
    ['gateway', `UPDATE vss.operator_credentials SET failed_sign_ins = 0 WHERE false`],
    ['gateway', `DELETE FROM vss.console_sessions WHERE false`],
    ['gateway', `INSERT INTO vss.rejected_pairs SELECT '1', 'o', 'f', NULL, 'x' WHERE false`],
    ['worker', `SELECT count(*) FROM vss.rejected_pairs`],
    ['worker', `UPDATE vss.hi_cards SET valid_to = valid_to WHERE false`],
    ['worker', `SELECT count(*) FROM pgboss.job`],
    ['worker', `SELECT * FROM vss.audit_append('[]'::jsonb)`],
    ['worker', `UPDATE vss.funeral_payouts SET status = status WHERE false`],
    ['worker', `INSERT INTO vss.benefit_arrears SELECT * FROM vss.benefit_arrears WHERE false`],
    ['worker', `SELECT count(*) FROM vss.rates`],
    ['gateway', `SELECT count(*) FROM vss.funeral_payouts`],
    ['gateway', `SELECT count(*) FROM vss.hi_cards`],
    ['gateway', `INSERT INTO vss.finding_applications SELECT * FROM vss.finding_applications WHERE false`],
    ['worker', `UPDATE vss.finding_applications SET state = state WHERE false`],
    ['worker', `UPDATE vss.participants SET full_name = full_name WHERE false`],
    [
      'gateway',
      `UPDATE vss.participants SET death_revocation_procedure = NULL, updated_at = now() WHERE false`,
    ],
  ] as [AppRole, string][])('%s: %s', async (role, sql) => {
    expect(await attempt(role, sql)).toBe('ok');
  });
});

describe('who may call: what the gateway may change of keys and operators, and what it may not', () => {
  beforeAll(async () => {
    await as('owner', async (c) => {
      await c.query(`INSERT INTO vss.facilities (facility_code, name, province_code) VALUES ('09999', 'Trạm y tế thử', '001')
                       ON CONFLICT DO NOTHING`);
      await c.query(`INSERT INTO vss.api_keys (key_id, secret_sha256, role, facility_code, label, revoked_at, expires_at)
                       VALUES ('revokedkey01', '\\x00', 'clinic', '09999', 'x', now(), now() + interval '1 day'),
                              ('validkey0001', '\\x00', 'clinic', '09999', 'x', NULL, now() + interval '1 day')`);
      await c.query(`INSERT INTO vss.client_certificates (fingerprint256, serial_number, subject, member, subsystem, role,
                       facility_code, label, not_after, revoked_at)
                     VALUES ('AA:BB', '0a1b', 'CN=his', 'BV-09999', 'his', 'clinic', '09999', 'x', now() + interval '1 day', now())`);
      await c.query(`INSERT INTO vss.operators (operator_id, login, display_name, roles, created_by, active, disabled_at)
                       VALUES (gen_random_uuid(), 'gone.officer', 'Gone', '{auditor}', 'x', false, now()),
                              (gen_random_uuid(), 'plain.officer', 'Plain', '{auditor}', 'x', true, NULL)`);
    });
  });

  it.each([
    [
      `UPDATE vss.api_keys SET revoked_at = NULL WHERE key_id = 'revokedkey01'`,
      'a revoked key stays revoked',
    ],
    [
      `UPDATE vss.api_keys SET expires_at = now() + interval '1 year' WHERE key_id = 'validkey0001'`,
      'an expiry only comes closer',
    ],
    [
      `UPDATE vss.api_keys SET expires_at = NULL WHERE key_id = 'validkey0001'`,
      'an expiry is not taken away',
    ],
    [
      `UPDATE vss.operators SET roles = '{auditor,security-admin}' WHERE login = 'plain.officer'`,
      'security-admin needs an approval',
    ],
    [
      `UPDATE vss.operators SET active = true, disabled_at = NULL WHERE login = 'gone.officer'`,
      'a disabled operator stays disabled',
    ],
    [
      `UPDATE vss.client_certificates SET revoked_at = NULL WHERE serial_number = '0a1b'`,
      'a revoked certificate stays revoked',
    ],
    [
      `INSERT INTO vss.client_certificates (fingerprint256, serial_number, subject, member, subsystem, role, label, not_after)
         VALUES ('CC:DD', '0c1d', 'CN=x', 'VSS', 'x', 'admin', 'x', now() + interval '1 day')`,
      'admin certificates are the CLI’s',
    ],
  ])('refuses the gateway: %s (%s)', async (sql) => {
    expect(await attempt('gateway', sql)).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it.each([
    `UPDATE vss.api_keys SET revoked_at = now() WHERE key_id = 'validkey0001'`,
    `UPDATE vss.api_keys SET expires_at = now() + interval '1 hour' WHERE key_id = 'validkey0001'`,
    `UPDATE vss.operators SET roles = '{auditor,operator}' WHERE login = 'plain.officer'`,
    `UPDATE vss.operators SET active = false, disabled_at = now(), disabled_by = 'x' WHERE login = 'plain.officer'`,
  ])('lets the gateway: %s', async (sql) => {
    expect(await attempt('gateway', sql)).toBe('ok');
  });
});

describe('a database made before the roles existed (an older .data folder)', () => {
  it('is taken over by the owner role, migrated and granted, its data kept', async () => {
    const adminUrl = process.env.VSS_TEST_ADMIN_URL!;
    const name = `vss_legacy_${randomBytes(3).toString('hex')}`;
    const prefix = `vss_l${randomBytes(3).toString('hex')}`;
    await ensureDatabase(adminUrl, name);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    try {
      await migrateAll(url.toString()); // as the superuser, as every app used to
      await runStatements(url.toString(), [
        `INSERT INTO vss.facilities (facility_code, name, province_code, level) VALUES ('01001', 'BV', '001', 'commune')`,
      ]);
      const prepared = await prepareDatabase(adminUrl, name, { prefix, passwords: randomPasswords() });
      const gateway = new Client({ connectionString: prepared.urlFor('gateway') });
      await gateway.connect();
      try {
        const { rows } = await gateway.query(`SELECT count(*)::int AS n FROM vss.facilities`);
        expect(rows[0].n).toBe(1);
        await expect(gateway.query(`DELETE FROM vss.audit_events`)).rejects.toMatchObject({ code: '42501' });
      } finally {
        await gateway.end();
      }
      const owner = new Client({ connectionString: adminUrl });
      await owner.connect();
      const { rows } = await owner.query(
        `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname IN ('vss', 'npd', 'pgboss') AND tableowner <> $1`,
        [`${prefix}_owner`],
      );
      await owner.end();
      expect(rows[0].n).toBe(0);
    } finally {
      await dropDatabase(adminUrl, name);
      await runStatements(
        adminUrl,
        Object.values(databaseRoles(prefix)).map((role) => `DROP ROLE IF EXISTS "${role}"`),
      ).catch(() => undefined);
    }
  });
});

describe('a change to a money table, by anyone', () => {
  it('is staged in the audit chain in its own transaction, naming the login, the rows and the columns', async () => {
    await as('owner', async (c) => {
      await c.query(
        `UPDATE vss.rates SET legal_basis = legal_basis || ' ' WHERE code = 'BASE_SALARY' AND effective_from = '2024-07-01'`,
      );
      await c.query(`UPDATE vss.rates SET amount_vnd = amount_vnd WHERE false`);
      const { rows } = await c.query(
        `SELECT caller, caller_role, action, outcome, detail FROM vss.audit_pending WHERE action LIKE 'db.money.%'
         UNION ALL
         SELECT caller, caller_role, action, outcome, detail FROM vss.audit_events WHERE action LIKE 'db.money.%'`,
      );
      const owner = new URL(db.urlFor('owner')).username;
      // A statement that changed nothing is not an entry; the one that did is, once.
      expect(rows).toEqual([
        {
          caller: `db:${owner}`,
          caller_role: 'database',
          action: 'db.money.update',
          outcome: 'UPDATE',
          detail: {
            table: 'rates',
            rows: 1,
            keys: ['BASE_SALARY@2024-07-01'],
            columns: ['legal_basis'],
            db_login: owner,
          },
        },
      ]);
    });
  });

  it('is rolled back with the change', async () => {
    await as('owner', async (c) => {
      const staged = async () =>
        (await c.query(`SELECT count(*)::int AS n FROM vss.audit_pending WHERE action LIKE 'db.money.%'`))
          .rows[0].n;
      const before = await staged();
      await c.query('BEGIN');
      await c.query(
        `UPDATE vss.rates SET amount_vnd = amount_vnd + 1 WHERE code = 'SOCIAL_ASSISTANCE_STANDARD'`,
      );
      expect(await staged()).toBe(before + 1);
      await c.query('ROLLBACK');
      expect(await staged()).toBe(before);
    });
  });
});

describe("the audit chain's order", () => {
  it('cannot be stalled by an app holding the advisory lock number the chain once used', async () => {
    const holder = new Client({ connectionString: db.urlFor('worker') });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(7353001)');
      const appended = await as('gateway', async (c) => {
        await c.query(`SET statement_timeout = '3s'`);
        const { rows } = await c.query(appendAs('clinic').replace('SELECT *', 'SELECT entry_seq::text'));
        return rows.length;
      });
      expect(appended).toBe(1);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  });
});

describe('what an app may append to the audit trail, and sign', () => {
  const registeredKeyId = keyIdOf(createPublicKey(readFileSync(pkiFile('audit-signing.pub'))));
  const checkpoint = (seq: string, hash: string, keyId: string) =>
    `INSERT INTO vss.audit_checkpoints (seq, hash, root_hash, signed_at, key_id, signature)
       VALUES (${seq}, ${hash}, decode(repeat('11', 32), 'hex'), now(), '${keyId}', '\\x00')`;
  const WRONG_HASH = `decode(repeat('00', 32), 'hex')`;
  const HEAD_HASH = `(SELECT hash FROM vss.audit_events ORDER BY seq DESC LIMIT 1)`;
  const HEAD_SEQ = `(SELECT max(seq) FROM vss.audit_events)`;

  it.each([
    ['gateway', appendAs('system'), INSUFFICIENT_PRIVILEGE, "the worker's own entries"],
    ['gateway', stageAs('system'), INSUFFICIENT_PRIVILEGE, "the worker's own entries, staged"],
    ['worker', appendAs('clinic'), INSUFFICIENT_PRIVILEGE, "a clinic's lookup"],
    ['worker', appendAs('admin'), INSUFFICIENT_PRIVILEGE, "an officer's action"],
    ['gateway', appendAs('clinic', '2025-01-01T00:00:00Z'), '22023', 'an entry dated in the past'],
    [
      'gateway',
      appendAs('clinic', new Date(Date.now() + 3_600_000).toISOString()),
      '22023',
      'an entry dated ahead',
    ],
    ['worker', stageAs('system', '2025-01-01T00:00:00Z'), '22023', 'a staged entry dated in the past'],
    [
      'gateway',
      appendAs('database', undefined, 'db:vss_worker'),
      INSUFFICIENT_PRIVILEGE,
      "another login's database entry",
    ],
    [
      'worker',
      checkpoint(HEAD_SEQ, HEAD_HASH, registeredKeyId),
      INSUFFICIENT_PRIVILEGE,
      'a checkpoint, as the worker',
    ],
    [
      'gateway',
      checkpoint('999999999', WRONG_HASH, registeredKeyId),
      '23514',
      'a junk checkpoint beyond the chain',
    ],
    [
      'gateway',
      checkpoint(HEAD_SEQ, HEAD_HASH, '0123456789abcdef'),
      INSUFFICIENT_PRIVILEGE,
      'a checkpoint of an unregistered key',
    ],
    [
      'gateway',
      `UPDATE vss.audit_checkpoints SET signed_at = now()`,
      INSUFFICIENT_PRIVILEGE,
      'a changed checkpoint',
    ],
    ['gateway', `DELETE FROM vss.audit_tree_tiles`, INSUFFICIENT_PRIVILEGE, 'removed tree tiles'],
    [
      'gateway',
      `INSERT INTO vss.audit_signing_keys (key_id, public_key, holder) VALUES ('0123456789abcdef', 'x', 'me')`,
      INSUFFICIENT_PRIVILEGE,
      'a key registered by the gateway itself',
    ],
    ['gateway', `SELECT nextval('vss.audit_staged_seq')`, INSUFFICIENT_PRIVILEGE, 'a staged number taken'],
    [
      'gateway',
      `UPDATE vss.audit_producers SET caller_roles = '{system}'`,
      INSUFFICIENT_PRIVILEGE,
      'who may append as whom',
    ],
  ] as [AppRole, string, string, string][])('%s is refused %#: %s', async (role, sql, code) => {
    await as('gateway', (c) =>
      c.query(appendAs('clinic').replace('0000000000a1', '0000000000b1')).catch(() => undefined),
    );
    expect(await attempt(role, sql)).toBe(code);
  });

  it('names the login that appended each entry, and takes a database entry only in its own name', async () => {
    const login = new URL(db.urlFor('gateway')).username;
    const detail = await as('gateway', async (c) => {
      const { rows } = await c.query<{ entry_event_id: string }>(
        appendAs('database', undefined, `db:${login}`),
      );
      const stored = await c.query<{ detail: Record<string, unknown> }>(
        `SELECT detail FROM vss.audit_events WHERE event_id = $1`,
        [rows[0].entry_event_id],
      );
      return stored.rows[0].detail;
    });
    expect(detail).toEqual({ db_login: login });
  });

  it('keeps checkpoints append-only for the owner too', async () => {
    const gateway = new Pool({ connectionString: db.urlFor('gateway'), max: 1 });
    try {
      await gateway.query(appendAs('clinic'));
      expect(
        await signCheckpoint(gateway, loadSigningKey(readFileSync(pkiFile('audit-signing.key'), 'utf8'))),
      ).toBeDefined();
    } finally {
      await gateway.end();
    }
    await as('owner', async (c) => {
      await expect(c.query(`DELETE FROM vss.audit_checkpoints`)).rejects.toMatchObject({ code: '42501' });
      await expect(c.query(`TRUNCATE vss.audit_checkpoints`)).rejects.toMatchObject({ code: '42501' });
      await expect(
        c.query(`UPDATE vss.audit_signing_keys SET holder = 'someone else'`),
      ).rejects.toMatchObject({
        code: '42501',
      });
    });
  });
});
