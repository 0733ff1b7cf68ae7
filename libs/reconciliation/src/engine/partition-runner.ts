import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import { type PgBoss, type WorkerConfig } from '@vss/platform';
import { JOB_QUEUE, LOGGER, APP_CONFIG } from '@vss/platform';
import type { MatchModel } from '@vss/domain/match-model';
import { CandidateIndex } from '../candidate-index';
import { MatchModels } from '../match-models';
import type { ReconciliationOutcome } from '@vss/domain/reconciliation';
import { addCount, ChunkClassifier, type ChunkOutcome } from './chunk-classifier';
import { PartitionSources } from './partition-sources';
import { RecordsScanRepository } from '@vss/insurance-records';
import { RunFinisher } from './run-finisher';
import { FindingsRepository } from '../findings.repository';
import { type PartitionRecord, PartitionsRepository } from '../partitions.repository';
import { type PartitionJob, sendSliceJob } from '../reconciliation.queue';
import { type RunRecord, RunsRepository } from '../runs.repository';

function emptyChunk(): ChunkOutcome & { size: number } {
  return { findings: [], counts: {}, processed: 0, size: 0 };
}

/** A slice's share of the job's lease: a slice ends, and hands over, long before the job expires. */
const SLICE_SHARE_OF_EXPIRY = 1 / 3;

/**
 * Runs one slice of one partition: chunk after chunk, each committed with its checkpoint, until
 * the partition is done or the slice's time is up; then the next slice is queued in the same
 * transaction as the last chunk. pg-boss 10 fails a job that outlives its expiry (and hands it to
 * another worker), so a run of any length is a chain of short jobs, and a worker killed mid-slice
 * costs one expiry and the chunk in flight, never a finding.
 */
@Injectable()
export class PartitionRunner {
  /** Candidate indexes by partition, kept between slices while this worker keeps the partition. */
  private readonly indexes = new Map<string, { index: CandidateIndex; checkpoint: string | null }>();

  constructor(
    private readonly runs: RunsRepository,
    private readonly partitions: PartitionsRepository,
    private readonly findings: FindingsRepository,
    private readonly records: RecordsScanRepository,
    private readonly sources: PartitionSources,
    private readonly classifier: ChunkClassifier,
    private readonly finisher: RunFinisher,
    @Inject(JOB_QUEUE) private readonly jobs: PgBoss,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    private readonly models: MatchModels,
  ) {}

  async runSlice(job: PartitionJob, expireInSeconds: number): Promise<void> {
    let run = await this.runs.run(job.runId);
    if (run?.state === 'QUEUED') {
      const { scope } = run;
      await this.runs.start(run.runId, () => this.records.countInScope(scope));
      run = await this.runs.run(job.runId);
    }
    if (!run || run.state !== 'RUNNING') return;
    const partition = await this.partitions.partition(job.runId, job.partitionNo);
    if (!partition) return;
    const model = this.models.get(run.model?.version ?? null);
    if (!model || (run.model && model.digest !== run.model.digest)) {
      // Finishing a run with other parameters than it started with would make it unrepeatable.
      await this.runs.fail(
        run.runId,
        `the run scores with model ${run.model?.version} (sha256 ${run.model?.digest}); this worker ${
          model ? 'has another file of that version' : 'does not have it'
        }: deploy that model file to models/ and start the run again`,
      );
      return;
    }
    const deadline = Date.now() + expireInSeconds * 1000 * SLICE_SHARE_OF_EXPIRY;
    if (partition.done) {
      await this.finish(run, partition, model.model, deadline);
      return;
    }
    const key = `${job.runId}:${job.partitionNo}`;
    try {
      const outcome = await this.chunks(run, partition, deadline, key, model.model);
      if (outcome === 'DONE') await this.finish(run, partition, model.model, deadline);
    } catch (error) {
      // The index may hold candidates of a chunk that was never committed.
      this.indexes.delete(key);
      throw error;
    }
  }

  /**
   * Finishes the run if this was its last partition. The finisher's search of records whose
   * legacy ID the registry lacks goes on in the next job of this partition when the slice's time
   * is up: it is saved page by page, and a job that finds the partition done finishes the run.
   */
  private async finish(
    run: RunRecord,
    partition: PartitionRecord,
    model: MatchModel,
    deadline: number,
  ): Promise<void> {
    await this.finisher.finish(run, model, {
      deadline,
      continueAfter: (client) => this.queueNextSlice(client, run.runId, partition.partitionNo),
    });
  }

  /**
   * Classifies page after page and commits them a chunk at a time (RECONCILE_CHUNK_SIZE records
   * read): per chunk, only findings and counts are held, never the pages they came from.
   *
   * One commit is in flight while the next chunk is read and classified: each chunk's commit
   * starts from the checkpoint the one before it wrote, so they are chained, never concurrent,
   * and a chunk is not sent before the one before it is known to have committed. Awaited in
   * turn, the commits kept a partition's loop waiting about a sixth of its time (1.1–1.5 s of
   * ~7 s at 1 M citizens). A commit that fails or finds the partition moved on ends the slice
   * before anything after it is written; the chunk classified meanwhile is dropped, and the
   * next slice reads it again from the checkpoint.
   */
  private async chunks(
    run: RunRecord,
    start: PartitionRecord,
    deadline: number,
    key: string,
    model: MatchModel,
  ): Promise<'DONE' | 'SLICED' | 'SUPERSEDED'> {
    const index = await this.indexFor(run, start, key, model);
    let partition = start;
    let chunk = emptyChunk();
    let inFlight: Promise<'COMMITTED' | 'SUPERSEDED'> | undefined;
    // The key the commit in flight runs through.
    let sent = '';
    /** Waits for the commit in flight; false when it found the partition moved on. */
    const settled = async (): Promise<boolean> => {
      if (!inFlight) return true;
      const committed = await inFlight;
      inFlight = undefined;
      if (committed === 'SUPERSEDED') {
        this.indexes.delete(key);
        this.logger.info(
          { runId: run.runId, partition: partition.partitionNo },
          'partition moved on without us',
        );
        return false;
      }
      if (index) this.indexes.set(key, { index, checkpoint: sent });
      return true;
    };
    const source = this.sources.open(run, partition, index, model);
    try {
      for await (const work of source) {
        const outcome = work.input ? await this.classifier.classify(work.input, model) : emptyChunk();
        chunk.findings.push(...outcome.findings, ...work.missing);
        for (const [o, n] of Object.entries(outcome.counts))
          addCount(chunk.counts, o as ReconciliationOutcome, n);
        for (const f of work.missing) addCount(chunk.counts, f.outcome);
        chunk.processed += outcome.processed + work.missing.length;
        chunk.size += work.size;
        const last = !work.done && Date.now() >= deadline;
        if (!work.done && !last && chunk.size < this.config.RECONCILE_CHUNK_SIZE) continue;
        if (!(await settled())) return 'SUPERSEDED';
        inFlight = this.partitions.commit(
          {
            partition,
            through: work.through,
            done: work.done,
            processed: chunk.processed,
            counts: chunk.counts,
            // Changed citizens bring records the run could not count when it started.
            addTotal: partition.kind === 'CHANGED_CITIZENS' ? chunk.processed : 0,
            findings: chunk.findings,
            candidates: index?.takeChanged() ?? [],
          },
          last ? (client) => this.queueNextSlice(client, run.runId, partition.partitionNo) : undefined,
        );
        // Awaited before the next commit or at the end; until then a failure must not count as
        // unhandled (Node would end the process).
        inFlight.catch(() => undefined);
        sent = work.through;
        partition = { ...partition, checkpoint: work.through, done: work.done };
        chunk = emptyChunk();
        if (!work.done && !last) continue;
        if (!(await settled())) return 'SUPERSEDED';
        if (last) return 'SLICED';
        this.indexes.delete(key);
        if (index)
          this.logger.info(
            { runId: run.runId, partition: partition.partitionNo, blocking: index.blocking() },
            'candidate search done: pairs per blocking rule',
          );
        return 'DONE';
      }
      return (await settled()) ? 'DONE' : 'SUPERSEDED';
    } finally {
      await source.return(undefined);
      // Leaving on an error with a commit in flight: let it end before the caller drops the index.
      await inFlight?.catch(() => undefined);
    }
  }

  /** The partition's candidate index: kept from the last slice when it is current, else rebuilt. */
  private async indexFor(
    run: RunRecord,
    partition: PartitionRecord,
    key: string,
    model: MatchModel,
  ): Promise<CandidateIndex | null> {
    if (!run.findCandidates || partition.kind !== 'REGISTRY_RANGE') return null;
    const kept = this.indexes.get(key);
    if (kept && kept.checkpoint === partition.checkpoint) return kept.index;
    const [records, state] = await Promise.all([
      this.records.withoutAnyId(run.scope),
      this.findings.candidateState(run.runId, partition.partitionNo),
    ]);
    const index = new CandidateIndex(records, this.sources.nameKeys, model, state);
    this.indexes.set(key, { index, checkpoint: partition.checkpoint });
    return index;
  }

  private async queueNextSlice(client: PoolClient, runId: string, partitionNo: number): Promise<void> {
    await sendSliceJob(this.jobs, client, { runId, partitionNo });
  }
}
