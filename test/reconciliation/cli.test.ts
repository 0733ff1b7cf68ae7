import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expectedFindings, insertFixtures, RECORDS } from './fixtures';
import { startSystem, type System } from './support';
import { pkiFile } from '../support/tls';

/**
 * The administrators' CLI against a running gateway, as a process: start and watch, list,
 * findings, CSV export, apply. Needs `npm run build` (npm test does it).
 */

const CLI = join(__dirname, '..', '..', 'dist', 'tools', 'cli.js');
let system: System;
let dir: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  system = await startSystem('reconcli', { seed: insertFixtures });
  dir = mkdtempSync(join(tmpdir(), 'reconcile-cli-'));
});

afterAll(async () => {
  await system?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'reconcile', ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      VSS_API_KEY: system.adminKey,
      VSS_GATEWAY_ADDRESS: system.gateway.grpcAddress,
      VSS_DATA_DIR: dir,
      VSS_CA_FILE: pkiFile('ca.crt'),
    },
  });
  return stdout;
}

let runId: string;

it('starts a run and follows it to the end, with progress lines when not on a terminal', async () => {
  const out = await cli('start', '--candidates', '--watch');
  runId = /started run ([0-9a-f-]{36})/.exec(out)![1];
  expect(out).toMatch(new RegExp(`^COMPLETED \\d+/${RECORDS.length} [\\d.]+ records/s ETA 0s$`, 'm'));
  expect(out).toContain(`run ${runId}  COMPLETED  all records  (with candidates)`);
  expect(out).toMatch(/outcomes .*FIELD_MISMATCH 4/);
});

it('lists runs and shows one', async () => {
  expect(await cli('list')).toContain(`${runId}  COMPLETED`);
  expect(await cli('show', runId)).toContain(`records  ${RECORDS.length} of ${RECORDS.length}`);
});

it('prints findings of an outcome', async () => {
  const lines = (await cli('findings', runId, '--outcome', 'FIELD_MISMATCH')).trim().split('\n');
  expect(lines).toHaveLength(4);
  expect(lines.every((l) => l.includes('FIELD_MISMATCH'))).toBe(true);
});

it('exports every finding as CSV to a file', async () => {
  const file = join(dir, 'findings.csv');
  expect(await cli('export', runId, '--format', 'csv', '--out', file)).toContain(
    `${Object.keys(expectedFindings()).length} findings written`,
  );
  // The findings name people: the file is its owner's alone.
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  expect(lines[0]).toMatch(/^finding_id,outcome,social_insurance_code,citizen_id,/);
  expect(lines).toHaveLength(Object.keys(expectedFindings()).length + 1);
  expect(lines.find((l) => l.includes(',3600000007,'))).toContain('date_of_birth: 1988-07-04 -> 1988-04-07');
  // The model's reasons, field by field: the swapped date of the mismatch, the candidates' evidence.
  expect(lines[0].split(',')).toContain('evidence');
  expect(lines.find((l) => l.includes(',3600000007,'))).toMatch(
    /date_of_birth=DAY_MONTH_SWAPPED\(\+\d+\.\d\d\)/,
  );
  const missing = lines.filter((l) => l.includes(',MISSING_ID_CANDIDATE,'));
  for (const line of missing.filter((l) => /,\d{12} /.test(l)))
    expect(line).toMatch(/full_name=[A-Z_]+\([+-]\d+\.\d\d\)/);
  expect((await cli('export', runId)).split('\n')[0]).toBe(lines[0]);
});

it('applies the findings of an outcome', async () => {
  const out = await cli('apply', runId, '--outcome', 'FIELD_MISMATCH');
  expect(out).toMatch(/applied\s+4\s+FIELD_MISMATCH/);
  expect(out).toMatch(/skipped\s+0/);
});
