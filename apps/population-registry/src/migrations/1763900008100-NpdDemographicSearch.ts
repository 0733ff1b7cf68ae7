import type { MigrationInterface, QueryRunner } from 'typeorm';
import { nameMatchKey } from '@vss/domain';

/**
 * Search by name and birth date (SearchCitizens): each citizen's name match key, stored beside
 * the name, and the indexes of the three blocking rules. The key is computed by PostgreSQL so
 * that every way a row is written (COPY, a birth registration) has it: the same as
 * nameMatchKey for the names a registry holds (NFC Vietnamese), built from nameMatchKey itself
 * letter by letter below; combining marks a letter did not absorb are dropped, as there.
 */

/** Every precomposed Latin letter whose match key is one ASCII letter: Vietnamese and its neighbours. */
function letterFolding(): { from: string; to: string } {
  let from = '';
  let to = '';
  for (let cp = 0xc0; cp <= 0x1ef9; cp += 1) {
    const ch = String.fromCodePoint(cp);
    if (!/\p{L}/u.test(ch) || ch.normalize('NFC') !== ch) continue;
    const key = nameMatchKey(ch);
    if (/^[a-z]$/.test(key) && key !== ch) {
      from += ch;
      to += key;
    }
  }
  return { from, to };
}

export class NpdDemographicSearch1763900008100 implements MigrationInterface {
  name = 'NpdDemographicSearch1763900008100';

  async up(q: QueryRunner): Promise<void> {
    const { from, to } = letterFolding();
    const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
    await q.query(`
      CREATE FUNCTION npd.name_key(name text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT btrim(regexp_replace(regexp_replace(regexp_replace(
                 lower(translate(normalize(name, NFC), ${quote(from)}, ${quote(to)})),
                 '[\u0300-\u036F]', '', 'g'),
                 '[-\u2010\u2011''\u2019\u02BC\`.]', ' ', 'g'),
                 '\\s+', ' ', 'g'))
      $$`);
    await q.query(
      `ALTER TABLE npd.citizens ADD COLUMN name_key text GENERATED ALWAYS AS (npd.name_key(full_name)) STORED`,
    );
    await q.query(`CREATE INDEX citizens_name_key_idx ON npd.citizens (name_key, date_of_birth)`);
    await q.query(
      `CREATE INDEX citizens_birth_surname_idx ON npd.citizens (birth_province_code, split_part(name_key, ' ', 1), date_of_birth)`,
    );
    await q.query(
      `CREATE INDEX citizens_residence_surname_idx ON npd.citizens (residence_province_code, split_part(name_key, ' ', 1), date_of_birth)`,
    );
    await q.query(`CREATE INDEX citizens_birth_date_idx ON npd.citizens (date_of_birth)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE npd.citizens DROP COLUMN name_key`);
    await q.query(`DROP FUNCTION npd.name_key(text)`);
  }
}
