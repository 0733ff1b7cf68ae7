import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@vss/platform';
import type { ReconciliationOutcome } from '@vss/domain/reconciliation';

export interface PartitionProgress {
  partitionNo: number;
  processed: number;
  done: boolean;
  counts: Partial<Record<ReconciliationOutcome, number>>;
}

export interface ProvinceCount {
  provinceCode: string;
  findings: number;
}

/**
 * What a run's page shows beside its totals, read only: each partition's progress (written by
 * PartitionsRepository) and the run's findings per province (written by FindingsRepository).
 */
@Injectable()
export class RunReportRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async partitions(runId: string): Promise<PartitionProgress[]> {
    const { rows } = await this.pool.query<{
      partition_no: number;
      processed: string;
      done: boolean;
      counts: Partial<Record<ReconciliationOutcome, number>>;
    }>({
      name: 'run-report-partitions',
      text: `SELECT partition_no, processed, done, counts FROM vss.reconciliation_partitions
             WHERE run_id = $1 ORDER BY partition_no`,
      values: [runId],
    });
    return rows.map((r) => ({
      partitionNo: r.partition_no,
      processed: Number(r.processed),
      done: r.done,
      counts: r.counts,
    }));
  }

  async findingsByProvince(runId: string): Promise<ProvinceCount[]> {
    const { rows } = await this.pool.query<{ province_code: string; n: string }>({
      name: 'run-report-provinces',
      text: `SELECT province_code, count(*) AS n FROM vss.reconciliation_findings
             WHERE run_id = $1 GROUP BY province_code ORDER BY count(*) DESC, province_code`,
      values: [runId],
    });
    return rows.map((r) => ({ provinceCode: r.province_code, findings: Number(r.n) }));
  }
}
