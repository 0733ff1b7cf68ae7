import { Client } from 'pg';
import { https } from '../support/tls';
import { type OperatorCertificate, operatorCertificate } from '../support/operator-certificate';
import type { LookupCoverageResponse } from '@vss/contracts';
import { call, type CoverageWorld, FACILITY, PEOPLE, startCoverageWorld } from './coverage.harness';
import { waitFor } from '../support/polling';

/**
 * The gateway keeps citizens' records in memory; these tests change the database behind its
 * back, from another connection, and expect the next answers to follow. The change reaches the
 * gateway as a NOTIFY after the commit, so the tests wait for the answer (bounded), never for a
 * fixed time.
 */
let world: CoverageWorld;

beforeAll(async () => {
  world = await startCoverageWorld('coveragecache');
});

afterAll(async () => {
  await world?.close();
});

const lookup = (citizenId: string, visitDate = '') =>
  call<LookupCoverageResponse>(
    world.client,
    'lookupCoverage',
    { citizenId, facilityCode: FACILITY, visitDate },
    world.keys.clinic,
  );

let metricsReader: Promise<OperatorCertificate> | undefined;

async function metric(name: string): Promise<number> {
  metricsReader ??= operatorCertificate(world.pool);
  const res = await https(world.gateway.operatorAddress, await metricsReader)
    .get('/metrics')
    .expect(200);
  const line = res.text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

describe('the coverage cache', () => {
  it('answers a repeated lookup from memory', async () => {
    await lookup(PEOPLE.notYetValid);
    const hits = await metric('vss_coverage_cache_hits_total');
    const queries = await metric('vss_coverage_queries_total');
    for (let i = 0; i < 5; i++) await lookup(PEOPLE.notYetValid);
    expect(await metric('vss_coverage_cache_hits_total')).toBe(hits + 5);
    expect(await metric('vss_coverage_queries_total')).toBe(queries);
    expect(await metric('vss_coverage_cache_entries')).toBeGreaterThan(0);
  });
});

describe('answers follow the database', () => {
  it('sees a card suspended and reinstated by another connection', async () => {
    expect((await lookup(PEOPLE.covered)).status).toBe('COVERAGE_STATUS_COVERED');
    await world.pool.query(
      `UPDATE vss.hi_cards SET suspended = true WHERE social_insurance_code = '0100000001'`,
    );
    expect(
      (
        await waitFor('the change heard', () => lookup(PEOPLE.covered), {
          until: (r) => r.status !== 'COVERAGE_STATUS_COVERED',
        })
      ).reason,
    ).toBe('NOT_COVERED_REASON_COVERAGE_SUSPENDED');
    await world.pool.query(
      `UPDATE vss.hi_cards SET suspended = false WHERE social_insurance_code = '0100000001'`,
    );
    expect(
      (
        await waitFor('the change heard', () => lookup(PEOPLE.covered), {
          until: (r) => r.status === 'COVERAGE_STATUS_COVERED',
        })
      ).status,
    ).toBe('COVERAGE_STATUS_COVERED');
  });

  it('sees a citizen that was unknown once a participant record appears', async () => {
    const stranger = '001090888888';
    expect((await lookup(stranger)).reason).toBe('NOT_COVERED_REASON_UNKNOWN_CITIZEN');
    await world.pool.query(
      `INSERT INTO vss.participants (social_insurance_code, citizen_id, full_name, date_of_birth, gender, province_code)
       VALUES ('0100000099', $1, 'Trịnh Văn Mới', '1990-02-02', 'M', '001')`,
      [stranger],
    );
    const answer = await waitFor('the change heard', () => lookup(stranger), {
      until: (r) => r.reason !== 'NOT_COVERED_REASON_UNKNOWN_CITIZEN',
    });
    expect(answer).toMatchObject({
      reason: 'NOT_COVERED_REASON_NO_CARD',
      holder: { fullName: 'Trịnh Văn Mới' },
    });
  });

  it('sees a death recorded on the participant, and a new name', async () => {
    expect((await lookup(PEOPLE.noCard)).reason).toBe('NOT_COVERED_REASON_NO_CARD');
    await world.pool.query(
      `UPDATE vss.participants SET deceased_on = '2025-06-01', full_name = 'Dương Thị Thu Hà'
        WHERE social_insurance_code = '9200000006'`,
    );
    const after = await waitFor('the change heard', () => lookup(PEOPLE.noCard), {
      until: (r) => r.reason !== 'NOT_COVERED_REASON_NO_CARD',
    });
    expect(after).toMatchObject({
      reason: 'NOT_COVERED_REASON_DECEASED',
      holder: { fullName: 'Dương Thị Thu Hà' },
    });
  });

  it('sees a facility renamed, which every cached answer may show', async () => {
    expect((await lookup(PEOPLE.covered)).card?.primaryCareFacilityName).toBe('Bệnh viện Đa khoa Hà Nội');
    await world.pool.query(
      `UPDATE vss.facilities SET name = 'Bệnh viện Đa khoa Thành phố Hà Nội' WHERE facility_code = '01001'`,
    );
    const answer = await waitFor('the change heard', () => lookup(PEOPLE.covered), {
      until: (r) => r.card?.primaryCareFacilityName !== 'Bệnh viện Đa khoa Hà Nội',
    });
    expect(answer.card?.primaryCareFacilityName).toBe('Bệnh viện Đa khoa Thành phố Hà Nội');
  });

  it('stays correct while its LISTEN connection is lost, and after it comes back', async () => {
    expect((await lookup(PEOPLE.expired)).reason).toBe('NOT_COVERED_REASON_CARD_EXPIRED');
    // Cut the listener, and change the card while it is away: no NOTIFY can reach the gateway.
    await world.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'gateway:coverage-listen' AND datname = current_database()`,
    );
    await world.pool.query(
      `UPDATE vss.hi_cards SET valid_to = '2025-12-31' WHERE social_insurance_code = '7900000002'`,
    );
    const renewed = await waitFor('the change heard', () => lookup(PEOPLE.expired), {
      until: (r) => r.status === 'COVERAGE_STATUS_COVERED',
    });
    expect(renewed.card?.validTo).toBe('2025-12-31');
    // Listening again (the reconnect empties the cache), later changes are heard as before.
    await waitFor(
      'the gateway listening again',
      async () =>
        (
          await world.pool.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE application_name = 'gateway:coverage-listen' AND datname = current_database()`,
          )
        ).rows[0].n,
      { until: (n) => n === 1 },
    );
    await world.pool.query(
      `UPDATE vss.hi_cards SET valid_to = '2024-12-31' WHERE social_insurance_code = '7900000002'`,
    );
    expect(
      (
        await waitFor('the change heard', () => lookup(PEOPLE.expired), {
          until: (r) => r.status !== 'COVERAGE_STATUS_COVERED',
        })
      ).reason,
    ).toBe('NOT_COVERED_REASON_CARD_EXPIRED');
  });

  it('drops everything on a change to more citizens than a notification names', async () => {
    const before = await lookup(PEOPLE.duplicate);
    expect(before.card?.objectGroup).toBe('DN');
    // One statement over 300 generated participants plus the duplicate's cards: NOTIFY '*'.
    await world.pool.query(`
      INSERT INTO vss.participants (social_insurance_code, citizen_id, full_name, date_of_birth, gender, province_code)
      SELECT lpad((5000000000 + g)::text, 10, '0'), '001090' || lpad(g::text, 6, '0'), 'Người Thứ ' || g, '1990', 'M', '001'
        FROM generate_series(1, 300) g`);
    await world.pool.query(`
      UPDATE vss.hi_cards SET object_group = 'HN'
       WHERE social_insurance_code IN ('4800000008', '4800000007')
          OR social_insurance_code IN (SELECT social_insurance_code FROM vss.participants WHERE full_name LIKE 'Người Thứ %')`);
    const after = await waitFor('the change heard', () => lookup(PEOPLE.duplicate), {
      until: (r) => r.card?.objectGroup !== 'DN',
    });
    expect(after.card?.objectGroup).toBe('HN');
  });
});

describe('the change feed', () => {
  it('names no citizen to another login that listens: tokens only, which the gateway still matches', async () => {
    const listener = new Client({ connectionString: world.db.urlFor('worker') });
    await listener.connect();
    try {
      const heard: string[] = [];
      listener.on('notification', (n) => heard.push(n.payload ?? ''));
      await listener.query('LISTEN vss_coverage_changed');
      expect((await lookup(PEOPLE.duplicate)).status).toBe('COVERAGE_STATUS_COVERED');
      await world.pool.query(
        `UPDATE vss.hi_cards SET suspended = true WHERE social_insurance_code = '4800000008'`,
      );
      await waitFor('the worker hears it', async () => heard.length, { until: (n) => n > 0 });
      expect(heard.join()).not.toContain(PEOPLE.duplicate);
      expect(heard[0]).toMatch(/^[0-9a-f]{32}(,[0-9a-f]{32})*$/);
      // The gateway matched the token to the citizen it cached.
      await waitFor('the gateway drops its entry', () => lookup(PEOPLE.duplicate), {
        until: (r) => r.status !== 'COVERAGE_STATUS_COVERED',
      });
      await expect(listener.query('SELECT secret FROM vss.change_feed_key')).rejects.toMatchObject({
        code: '42501',
      });
    } finally {
      await listener.end();
      await world.pool.query(
        `UPDATE vss.hi_cards SET suspended = false WHERE social_insurance_code = '4800000008'`,
      );
    }
  });
});
