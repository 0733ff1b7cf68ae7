import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { ApiKeys } from '@vss/api-keys';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** `npm run cli -- limits show|set|clear`, as an operator runs it, against a real database. */
const CLI = join(__dirname, '..', '..', 'dist', 'tools', 'cli.js');
let db: TestDatabase;
let pool: Pool;
let keyId: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  db = await createTestDatabase('limitscli');
  pool = new Pool({ connectionString: db.urlFor('owner'), max: 2 });
  await pool.query(
    `INSERT INTO vss.facilities (facility_code, name, province_code) VALUES ('01001', 'BV', '001')`,
  );
  keyId = (await new ApiKeys(pool).issue({ role: 'clinic', facilityCode: '01001', label: 'clinic' })).keyId;
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'limits', ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.urlFor('owner') },
    });
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}` };
  }
}

it("sets a key's own limits over its role's, shows them, and clears them", async () => {
  const set = await cli('set', keyId, 'daily=50000,streams=off', '--note', 'district hospital batch');
  expect(set).toEqual({
    code: 0,
    out: `${keyId} (clinic): rate=20,burst=500,daily=50000,calls=32,streams=off,stream-seconds=3600\n`,
  });
  const show = await cli('show');
  expect(show.code).toBe(0);
  expect(show.out).toMatch(/clinic\s+rate=20,burst=500,daily=10000,calls=32,streams=4,stream-seconds=3600/);
  expect(show.out).toContain(`${keyId.padEnd(15)} daily=50000,streams=off  (district hospital batch)`);
  expect(await cli('clear', keyId)).toEqual({ code: 0, out: `${keyId}: its role's limits apply\n` });
  expect(await cli('clear', keyId)).toMatchObject({
    code: 1,
    out: expect.stringContaining('has no limits of its own'),
  });
});

it('refuses a limit it does not know, a bad value and an unknown caller, writing nothing', async () => {
  expect(await cli('set', keyId, 'speed=3')).toMatchObject({
    code: 1,
    out: expect.stringContaining('limits: "speed" is not a limit; known: rate, burst, daily'),
  });
  expect(await cli('set', keyId, 'daily=1.5')).toMatchObject({
    code: 1,
    out: expect.stringContaining('daily=1.5: must be a positive whole number or off'),
  });
  expect(await cli('set', 'nobody', 'daily=5')).toMatchObject({
    code: 1,
    out: expect.stringContaining('nobody is neither an API key id'),
  });
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM vss.caller_limits');
  expect(rows[0].n).toBe(0);
});
