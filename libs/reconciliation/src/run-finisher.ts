import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { type Candidate, mergeCandidates } from '@vss/domain/reconciliation-candidates';
import { missingIdFinding } from './chunk-classifier';
import { RECORD_COLUMNS, type RecordRow, toRecord } from '@vss/insurance-records';
import { insertFindings } from './findings.repository';
import { type RunRecord, RunProgressRepository } from './run-progress.repository';

/** Records without a citizen ID finished off per statement: bounds memory at any size. */
const PAGE = 5000;

/**
 * Finishes a run once its last partition is done, in one transaction holding the run: in a
 * whole-population run, every record without a citizen ID that no legacy CMND resolved becomes
 * a MISSING_ID_CANDIDATE with the best candidates all partitions found; then the run completes.
 * Safe to repeat: a second call finds the run completed and does nothing.
 */
@Injectable()
export class RunFinisher {
  constructor(private readonly runs: RunProgressRepository) {}

  finish(run: RunRecord): Promise<boolean> {
    return this.runs.whenAllDone(run.runId, async (client) => {
      let missing = 0;
      if (run.scope.kind === 'ALL') missing = await this.missingIds(client, run);
      await client.query(
        `UPDATE vss.reconciliation_runs
            SET state = 'COMPLETED', finished_at = now(), final_processed = $2, final_counts = $3
          WHERE run_id = $1`,
        [run.runId, missing, JSON.stringify(missing > 0 ? { MISSING_ID_CANDIDATE: missing } : {})],
      );
      // The running candidate lists are now in the findings.
      await client.query(`DELETE FROM vss.reconciliation_candidates WHERE run_id = $1`, [run.runId]);
    });
  }

  private async missingIds(client: PoolClient, run: RunRecord): Promise<number> {
    let after = '';
    for (;;) {
      const { rows } = await client.query<RecordRow & { lists: Candidate[][] }>(
        `SELECT ${RECORD_COLUMNS}, true AS in_scope,
                (SELECT COALESCE(jsonb_agg(rc.candidates), '[]') FROM vss.reconciliation_candidates rc
                  WHERE rc.run_id = $1 AND rc.social_insurance_code = p.social_insurance_code) AS lists
           FROM vss.participants p
          WHERE p.citizen_id IS NULL AND p.social_insurance_code > $2
            AND NOT EXISTS (SELECT 1 FROM vss.reconciliation_findings f
                             WHERE f.run_id = $1 AND f.social_insurance_code = p.social_insurance_code)
          ORDER BY p.social_insurance_code LIMIT $3`,
        [run.runId, after, PAGE],
      );
      await insertFindings(
        client,
        run.runId,
        rows.map((row) => missingIdFinding(toRecord(row), mergeCandidates(row.lists), run.findCandidates)),
      );
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1].social_insurance_code;
    }
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM vss.reconciliation_findings WHERE run_id = $1 AND outcome = 'MISSING_ID_CANDIDATE'`,
      [run.runId],
    );
    return rows[0].n;
  }
}
