import { status, type ServiceError } from '@grpc/grpc-js';
import type { Run } from '@vss/contracts';
import { insertFixtures, PEOPLE } from './fixtures';
import { refusal, startSystem, type System } from './support';
import { waitFor } from '../support/polling';

/**
 * An administrator's reach over ApplyFindings is bounded: a run too old, or one a newer run of
 * the same scope superseded, is not applied; recording deaths waits for an approver, and each
 * person is asked about again when it is applied — one the registry no longer records as dead is
 * left alone.
 */
let system: System;
let older: Run;
let newer: Run;

beforeAll(async () => {
  system = await startSystem('applyreach', { seed: insertFixtures });
  older = await system.runToEnd({ scope: { all: true } });
  newer = await system.runToEnd({ scope: { all: true } });
  // What follows needs no worker: it stops here, its last work done, not as the file ends.
  await system.stopWorkers();
});

afterAll(() => system?.stop());

const DEATHS = ['OUTCOME_DECEASED_BUT_ACTIVE' as never];

describe('ApplyFindings of a run that is not the current word', () => {
  it('refuses a run superseded by a newer completed run of the same scope, naming it', async () => {
    const refused = await refusal(system.admin.applyFindings({ runId: older.runId, outcomes: DEATHS }));
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.details).toMatch(
      new RegExp(`^run ${older.runId} is superseded by run ${newer.runId} of the same scope, completed at `),
    );
  });

  it('refuses a run that finished more than 7 days ago', async () => {
    await system.pool.query(
      `UPDATE vss.reconciliation_runs SET finished_at = now() - interval '8 days' WHERE run_id = $1`,
      [newer.runId],
    );
    try {
      const refused = await refusal(system.admin.applyFindings({ runId: newer.runId, outcomes: DEATHS }));
      expect(refused.code).toBe(status.FAILED_PRECONDITION);
      expect(refused.details).toMatch(
        /, 8 days ago; findings older than 7 days are not applied .*: start a new run$/,
      );
    } finally {
      await system.pool.query(`UPDATE vss.reconciliation_runs SET finished_at = now() WHERE run_id = $1`, [
        newer.runId,
      ]);
    }
  });
});

describe('a death the registry takes back before it is applied', () => {
  it('is not recorded when approved: the worker asks about the person again, and its application says so', async () => {
    const held = await system.admin.applyFindings({ runId: newer.runId, outcomes: DEATHS });
    expect(held.awaitingApproval).toBe(true);
    // Meanwhile the registry corrected a wrong death: the person is alive.
    await system.pool.query(
      `UPDATE npd.citizens SET vital_status = 'ALIVE', date_of_death = NULL WHERE citizen_id = $1`,
      [PEOPLE.deadActive.citizenId],
    );
    const decided = await system.approvals.approve(held.approvalId, system.approverKey);
    const applicationId =
      /^queued for the worker: application (\S+) applies 1 finding\(s\); each death is checked with the population registry again first$/.exec(
        decided.outcome,
      )?.[1];
    expect(applicationId).toBeDefined();
    await system.startWorker(); // stopped with the system
    const done = await waitFor('the worker to carry out the approved application', async () =>
      (
        await system.pool.query(
          `SELECT state, applied, cardinality(alive_again) AS alive FROM vss.finding_applications
            WHERE application_id = $1`,
          [applicationId],
        )
      ).rows.find((r) => r.state === 'DONE'),
    );
    expect(done).toEqual({ state: 'DONE', applied: {}, alive: 1 });
    const trail = await waitFor('the application in the audit trail', async () => {
      const { rows } = await system.pool.query(
        `SELECT detail FROM vss.audit_events WHERE action = 'reconciliation.findings.apply' AND detail->>'applicationId' = $1`,
        [applicationId],
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(trail).toEqual([
      { detail: expect.objectContaining({ aliveAgain: [expect.stringMatching(/^\d+$/)] }) },
    ]);
    const { rows } = await system.pool.query(
      `SELECT deceased_on FROM vss.participants WHERE citizen_id = $1`,
      [PEOPLE.deadActive.citizenId],
    );
    expect(rows.every((r) => r.deceased_on === null)).toBe(true);
  });

  it('refuses an approval by an operator without the approver role', async () => {
    const held = await system.admin.applyFindings({
      runId: newer.runId,
      outcomes: ['OUTCOME_DECEASED_BUT_ACTIVE' as never, 'OUTCOME_FIELD_MISMATCH' as never],
    });
    const byAdmin = (await system.approvals
      .approve(held.approvalId, system.adminKey)
      .catch((e: ServiceError) => e)) as ServiceError;
    expect(status[byAdmin.code]).toBe('PERMISSION_DENIED');
    expect(byAdmin.details).toMatch(/does not hold the approver role/);
  });
});
