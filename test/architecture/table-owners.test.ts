import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * Every table has one owner, and only the owner's code writes it (docs/architecture.md,
 * "Who owns which table"). Other features call the owner. Migrations create and seed tables
 * and are not checked; the synthetic population loader bulk-loads every schema by COPY for
 * demos, tests and benchmarks, never in a running app.
 */
const OWNERS: Record<string, string> = {
  'vss.participants': 'libs/insurance-records',
  'vss.hi_cards': 'libs/insurance-records',
  'vss.benefits': 'libs/insurance-records',
  'vss.benefit_payments': 'libs/insurance-records',
  'vss.funeral_payouts': 'libs/insurance-records',
  'vss.funeral_adjustments': 'libs/insurance-records',
  'vss.benefit_arrears': 'libs/insurance-records',
  'vss.facilities': 'libs/insurance-records',
  'vss.rates': 'libs/insurance-records',
  'vss.audit_events': 'libs/audit',
  'vss.audit_checkpoints': 'libs/audit',
  'vss.audit_chain_lock': 'libs/audit',
  'vss.audit_pending': 'libs/audit',
  'vss.audit_tree_tiles': 'libs/audit',
  'vss.audit_signing_keys': 'libs/audit',
  // Who may append as whom: written with the grants, by the owner.
  'vss.audit_producers': 'libs/persistence',
  'vss.change_feed_key': 'libs/coverage',
  'vss.client_certificates': 'libs/api-keys',
  'vss.api_keys': 'libs/api-keys',
  'vss.caller_limits': 'libs/limits',
  'vss.caller_usage': 'libs/limits',
  'vss.gateway_instances': 'libs/limits',
  'vss.civil_events': 'libs/civil-events',
  'vss.procedures': 'libs/civil-events',
  'vss.procedure_steps': 'libs/civil-events',
  'vss.procedure_step_attempts': 'libs/civil-events',
  'vss.reconciliation_runs': 'libs/reconciliation',
  'vss.reconciliation_partitions': 'libs/reconciliation',
  'vss.reconciliation_findings': 'libs/reconciliation',
  'vss.reconciliation_candidates': 'libs/reconciliation',
  'vss.operators': 'libs/authority',
  'vss.operator_credentials': 'libs/authority',
  // Written by the session store the console mounts (connect-pg-simple), and by its trigger.
  'vss.console_sessions': 'libs/console',
  'vss.finding_reviews': 'libs/reconciliation',
  'vss.rejected_pairs': 'libs/reconciliation',
  'vss.finding_applications': 'libs/reconciliation',
  'vss.civil_registry_offices': 'libs/authority',
  'vss.approvals': 'libs/approvals',
  'npd.citizens': 'apps/population-registry',
  'npd.requests': 'apps/population-registry',
  'npd.registry_peers': 'apps/population-registry',
  'synth.seed_info': 'libs/synthetic',
  'synth.truth': 'libs/synthetic',
};
const ROOT = join(__dirname, '..', '..');
const SOURCE_ROOTS = ['apps', 'libs', 'tools'];
const WRITE =
  /\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|COPY|MERGE\s+INTO)\s+((?:vss|npd|synth)\.[a-z_]+)/gi;
/** Functions that write a table on the caller's behalf: calling one is writing the table. */
const WRITING_FUNCTIONS: Record<string, string> = { 'vss.audit_append': 'vss.audit_events' };
const callOf = (fn: string) => new RegExp(`\\bFROM\\s+${fn.replace('.', '\\.')}\\(`, 'i');

function sourceFiles(dir: string, skip = ['node_modules', 'generated', 'migrations', 'test']): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return skip.includes(name) ? [] : sourceFiles(path, skip);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The medium tests and their factories: libs/<lib>/test of every lib. */
function mediumTestFiles(): string[] {
  const libs = join(ROOT, 'libs');
  return readdirSync(libs)
    .map((lib) => join(libs, lib, 'test'))
    .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    .flatMap((dir) => sourceFiles(dir, []));
}

/** Every write to a table in the given files (the shipped code by default): file, table. */
function writes(
  files = SOURCE_ROOTS.flatMap((root) => sourceFiles(join(ROOT, root))),
): { file: string; table: string }[] {
  return files.flatMap((path) =>
    [
      ...[...readFileSync(path, 'utf8').matchAll(WRITE)].map((m) => m[1].toLowerCase()),
      ...Object.entries(WRITING_FUNCTIONS)
        .filter(([fn]) => callOf(fn).test(readFileSync(path, 'utf8')))
        .map(([, table]) => table),
    ].map((table) => ({ file: relative(ROOT, path), table })),
  );
}

describe('table ownership', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('tableowners');
  });
  afterAll(() => db?.drop());

  it('names an owner for every table of every schema the apps migrate', async () => {
    const pool = new Pool({ connectionString: db.url, max: 1 });
    try {
      const { rows } = await pool.query<{ name: string }>(
        `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
          WHERE table_schema IN ('vss', 'npd', 'synth') AND table_name NOT LIKE '%migrations'
          ORDER BY 1`,
      );
      expect(rows.length).toBeGreaterThan(15);
      expect(rows.map((r) => r.name).filter((t) => !OWNERS[t])).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('finds the writes it is looking for (the check is not vacuous)', () => {
    const found = new Set(writes().map((w) => w.table));
    for (const table of [
      'vss.participants',
      'vss.procedures',
      'vss.reconciliation_findings',
      'vss.audit_events',
    ]) {
      expect(found).toContain(table);
    }
  });

  it("has medium tests write only their own lib's tables; other tables through their owner's factories", () => {
    const found = writes(mediumTestFiles());
    expect(found.map((w) => w.table)).toContain('vss.participants'); // the check is not vacuous
    const trespasses = found
      .filter(({ file, table }) => !OWNERS[table] || !file.startsWith(`${OWNERS[table]}/`))
      .map(({ file, table }) => `${file} writes ${table} (owner: ${OWNERS[table] ?? 'none'})`);
    expect(trespasses).toEqual([]);
  });

  it('finds no SQL writing a table outside the module that owns it', () => {
    const trespasses = writes()
      .filter(({ file }) => !file.startsWith('libs/synthetic/'))
      .filter(({ file, table }) => !OWNERS[table] || !file.startsWith(`${OWNERS[table]}/`))
      .map(({ file, table }) => `${file} writes ${table} (owner: ${OWNERS[table] ?? 'none'})`);
    expect(trespasses).toEqual([]);
  });
});
