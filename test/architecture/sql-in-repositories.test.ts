import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * In the features, SQL is written only in `*.repository.ts`: a service orchestrates, its
 * repository reads and writes (docs/architecture.md, "Who owns which table"). Migrations are
 * the schema's history and are not checked.
 */
const ROOT = join(__dirname, '..', '..');
const FEATURES = ['coverage', 'civil-events', 'reconciliation', 'insurance-records'];
const SQL = /\b(?:SELECT\s+[\w*(]|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+vss\.|WITH\s+\w+\s+AS\s*\()/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'migrations' ? [] : sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

const files = FEATURES.flatMap((lib) => sourceFiles(join(ROOT, 'libs', lib, 'src')));

describe('SQL in repositories only', () => {
  it('finds the SQL it looks for in the repositories (the check is not vacuous)', () => {
    const withSql = files.filter((f) => SQL.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
    expect(withSql).toEqual(
      expect.arrayContaining([
        'libs/civil-events/src/procedures.repository.ts',
        'libs/reconciliation/src/partitions.repository.ts',
        'libs/insurance-records/src/insurance-records.repository.ts',
      ]),
    );
  });

  it("has no SQL in a feature's source outside its *.repository.ts files", () => {
    const elsewhere = files
      .filter((f) => !f.endsWith('.repository.ts') && SQL.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(elsewhere).toEqual([]);
  });
});
