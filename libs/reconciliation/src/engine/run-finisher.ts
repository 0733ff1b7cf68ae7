import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { MatchModel } from '@vss/domain/match-model';
import { mergeCandidates } from '@vss/domain/reconciliation-candidates';
import { LOGGER } from '@vss/platform';
import { missingIdFinding } from './chunk-classifier';
import { DemographicSearch } from './demographic-search';
import { FindingsRepository } from '../findings.repository';
import { PartitionsRepository } from '../partitions.repository';
import { type RunRecord, RunsRepository } from '../runs.repository';

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
    private readonly runs: RunsRepository,
    private readonly partitions: PartitionsRepository,
    private readonly findings: FindingsRepository,
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
      if (!(await this.partitions.allPartitionsDone(run.runId))) return 'NOT_YET';
      if (!(await this.searchUnresolvedLegacy(run, model, options))) return 'CONTINUED';
    }
    const finished = await this.runs.whenAllDone(run.runId, async (client) => {
      let missing = 0;
      if (run.scope.kind === 'ALL') missing = await this.missingIds(client, run);
      await this.runs.complete(client, run.runId, {
        processed: missing,
        counts: missing > 0 ? { MISSING_ID_CANDIDATE: missing } : {},
      });
      await this.findings.clearCandidateLists(client, run.runId);
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
      const records = await this.findings.unresolvedLegacy(run.runId, after, SEARCH_PAGE);
      if (records.length === 0) break;
      const found = await this.search.candidates(records, model);
      const late = Date.now() >= deadline;
      await this.findings.saveSearched(
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
      const records = await this.findings.unresolvedWithoutId(client, run.runId, after, PAGE);
      if (records.length === 0) break;
      const through = records[records.length - 1].socialInsuranceCode;
      // Every partition's list of the page's records, in one range of the lists' key.
      const lists = await this.findings.candidateListsBetween(client, run.runId, after, through);
      await this.findings.insertFindings(
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
    return this.findings.countOfOutcome(client, run.runId, 'MISSING_ID_CANDIDATE');
  }
}
