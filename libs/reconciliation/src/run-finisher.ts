import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { MatchModel } from '@vss/domain/match-model';
import { type Candidate, mergeCandidates } from '@vss/domain/reconciliation-candidates';
import { LOGGER } from '@vss/platform';
import { missingIdFinding } from './chunk-classifier';
import { DemographicSearch } from './demographic-search';
import { RECORD_COLUMNS, recordOfValues } from '@vss/insurance-records';
import { insertFindings } from './findings.repository';
import { type RunRecord, RunProgressRepository } from './run-progress.repository';

/** The candidate lists of every partition for the records after `after` through `through`. */
async function candidateListsBetween(
  client: PoolClient,
  runId: string,
  after: string,
  through: string,
): Promise<Map<string, Candidate[][]>> {
  const { rows } = await client.query<{ sic: string; candidates: Candidate[] }>(
    `SELECT social_insurance_code AS sic, candidates FROM vss.reconciliation_candidates
      WHERE run_id = $1 AND social_insurance_code > $2 AND social_insurance_code <= $3`,
    [runId, after, through],
  );
  const lists = new Map<string, Candidate[][]>();
  for (const { sic, candidates } of rows) {
    const known = lists.get(sic);
    if (known) known.push(candidates);
    else lists.set(sic, [candidates]);
  }
  return lists;
}

/** Records without a citizen ID finished off per statement: bounds memory at any size. */
const PAGE = 5000;

/** Records whose legacy ID the registry lacks, searched per page (each a SearchCitizens per record). */
const SEARCH_PAGE = 200;

export interface FinishOptions {
  /** When the search of unresolved legacy IDs should hand over to the next job. */
  deadline: number;
  /** Queues that next job, in the transaction that saves the last page searched. */
  continueAfter: (client: PoolClient) => Promise<void>;
}

/**
 * Finishes a run once its last partition is done. In a whole-population run, a record without
 * a citizen ID but with a legacy CMND is not in the partitions' candidate indexes (its CMND
 * resolves it, nearly always); the few whose CMND no partition resolved are searched here, in
 * the registry (DemographicSearch), page by page, each page saved as the candidates of
 * LEGACY_SEARCH_PARTITION. Then, in one transaction holding the run, every record without a
 * citizen ID that nothing resolved becomes a MISSING_ID_CANDIDATE with the best candidates all
 * partitions found, and the run completes. Safe to repeat and to interrupt: a page searched is
 * not searched again, and a second call finds the run completed and does nothing.
 */
@Injectable()
export class RunFinisher {
  constructor(
    private readonly runs: RunProgressRepository,
    private readonly search: DemographicSearch,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** 'CONTINUED' when the search's time was up and the next job will go on with it. */
  async finish(
    run: RunRecord,
    model: MatchModel,
    options: FinishOptions,
  ): Promise<'FINISHED' | 'NOT_YET' | 'CONTINUED'> {
    if (run.scope.kind === 'ALL' && run.findCandidates) {
      if (!(await this.runs.allPartitionsDone(run.runId))) return 'NOT_YET';
      if (!(await this.searchUnresolvedLegacy(run, model, options))) return 'CONTINUED';
    }
    const finished = await this.runs.whenAllDone(run.runId, async (client) => {
      let missing = 0;
      if (run.scope.kind === 'ALL') missing = await this.missingIds(client, run);
      // The clock's time, not the transaction's (now()): the findings above were written after it began.
      await client.query(
        `UPDATE vss.reconciliation_runs
            SET state = 'COMPLETED', finished_at = clock_timestamp(), final_processed = $2, final_counts = $3
          WHERE run_id = $1`,
        [run.runId, missing, JSON.stringify(missing > 0 ? { MISSING_ID_CANDIDATE: missing } : {})],
      );
      // The running candidate lists are now in the findings.
      await client.query(`DELETE FROM vss.reconciliation_candidates WHERE run_id = $1`, [run.runId]);
    });
    return finished ? 'FINISHED' : 'NOT_YET';
  }

  /** Searches the next pages of unresolved legacy-ID records; false when time ran out first. */
  private async searchUnresolvedLegacy(
    run: RunRecord,
    model: MatchModel,
    { deadline, continueAfter }: FinishOptions,
  ): Promise<boolean> {
    let searched = 0;
    let after = '';
    for (;;) {
      const records = await this.runs.unresolvedLegacy(run.runId, after, SEARCH_PAGE);
      if (records.length === 0) break;
      const found = await this.search.candidates(records, model);
      const late = Date.now() >= deadline;
      await this.runs.saveSearched(
        run.runId,
        records.map((r) => ({
          socialInsuranceCode: r.socialInsuranceCode,
          candidates: found.get(r.socialInsuranceCode) ?? [],
        })),
        late ? continueAfter : undefined,
      );
      searched += records.length;
      if (late) {
        this.logger.info({ runId: run.runId, searched }, 'unresolved legacy IDs: the next job goes on');
        return false;
      }
      after = records[records.length - 1].socialInsuranceCode;
    }
    if (searched > 0)
      this.logger.info(
        { runId: run.runId, searched },
        'records whose legacy ID the registry lacks: searched',
      );
    return true;
  }

  private async missingIds(client: PoolClient, run: RunRecord): Promise<number> {
    let after = '';
    for (;;) {
      // A probe of the findings' key per record: a join could read every finding of the run for
      // each page, as the planner chose while the run's findings were new.
      const { rows } = await client.query<unknown[]>({
        text: `SELECT ${RECORD_COLUMNS} FROM vss.participants p
          WHERE p.citizen_id IS NULL AND p.social_insurance_code > $2
            AND (SELECT 1 FROM vss.reconciliation_findings f
                  WHERE f.run_id = $1 AND f.social_insurance_code = p.social_insurance_code LIMIT 1) IS NULL
          ORDER BY p.social_insurance_code LIMIT $3`,
        values: [run.runId, after, PAGE],
        rowMode: 'array',
      });
      if (rows.length === 0) break;
      const records = rows.map(recordOfValues);
      const through = records[records.length - 1].socialInsuranceCode;
      // Every partition's list of the page's records, in one range of the lists' key.
      const lists = await candidateListsBetween(client, run.runId, after, through);
      await insertFindings(
        client,
        run.runId,
        records.map((record) =>
          missingIdFinding(
            record,
            mergeCandidates(lists.get(record.socialInsuranceCode) ?? []),
            run.findCandidates,
          ),
        ),
      );
      if (records.length < PAGE) break;
      after = through;
    }
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM vss.reconciliation_findings WHERE run_id = $1 AND outcome = 'MISSING_ID_CANDIDATE'`,
      [run.runId],
    );
    return rows[0].n;
  }
}
