import PgBoss from 'pg-boss';

export interface JobQueueSpec {
  url: string;
  /**
   * A job claimed by a worker that then died is handed out again after this long. pg-boss
   * defaults to 15 minutes; steps here are short, so a killed worker's steps are picked up
   * within a minute.
   */
  expireInSeconds: number;
  /** How often expired jobs are looked for. */
  maintenanceIntervalSeconds: number;
  /** Connections of the queue's own pool. */
  poolSize?: number;
  applicationName?: string;
  /** Background errors of the queue (a lost connection, say), reported rather than thrown. */
  onError?: (error: Error) => void;
  /** false: no maintenance loop (a migration that only creates the schema and queues). */
  supervise?: boolean;
}

/**
 * The durable job queue: pg-boss 10 (the last major that runs on Node 20), in its own
 * `pgboss` schema of the same PostgreSQL, claiming jobs with FOR UPDATE SKIP LOCKED.
 */
// pg-boss 10 records a job's outcome without awaiting it (`this.complete(…)` / `this.fail(…)`
// in its work loop): with the database away that promise rejects unheard and Node ends the
// process. Every outcome's failure is reported as the queue's 'error' event instead; the job
// stays active, expires, and is handed out again — nothing is lost. (pg-boss 11 would need Node 22.)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const QueueManager = require('pg-boss/src/manager') as {
  prototype: Record<string, (...args: unknown[]) => Promise<unknown>> & { emit(e: string, x: unknown): void };
};
interface QueueWorker {
  /** Told to stop, its loop not yet ended. */
  stopping: boolean;
}
/** The longest a stop waits for the work loops to end (a handler still running, say). */
const LOOPS_END_MS = 12_000;
// pg-boss 10's stop() resolves once no job is in hand, while each work loop it told to stop may
// still be finishing a fetch, and a detached check re-arms a 1 s timer until they have. That
// check outlives the stop (in a test, the test file: Jest has torn its modules down by then and
// the timer's `require` ends the process). The manager's stop waits for its loops to end.
const stopManager = QueueManager.prototype.stop as ((...args: unknown[]) => Promise<unknown>) & {
  waits?: boolean;
};
if (!stopManager.waits) {
  const waiting = async function (this: { getWorkers(): QueueWorker[] }, ...args: unknown[]) {
    await stopManager.apply(this, args);
    const until = Date.now() + LOOPS_END_MS;
    while (Date.now() < until && this.getWorkers().some((w) => w.stopping)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  waiting.waits = true;
  QueueManager.prototype.stop = waiting;
}
for (const outcome of ['complete', 'fail'] as const) {
  const record = QueueManager.prototype[outcome];
  if ((record as { heard?: boolean }).heard) continue;
  const heard = function (this: { emit(e: string, x: unknown): void }, ...args: unknown[]) {
    const recorded = record.apply(this, args);
    recorded.catch((error: unknown) => this.emit('error', error));
    return recorded;
  };
  heard.heard = true;
  QueueManager.prototype[outcome] = heard;
}

export async function startJobQueue(spec: JobQueueSpec): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: spec.url,
    schema: 'pgboss',
    max: spec.poolSize ?? 4,
    application_name: spec.applicationName ?? 'vss-jobs',
    expireInSeconds: spec.expireInSeconds,
    maintenanceIntervalSeconds: spec.maintenanceIntervalSeconds,
    monitorStateIntervalSeconds: 30,
    retryLimit: 10,
    retryDelay: 1,
    retryBackoff: true,
    supervise: spec.supervise ?? true,
    // No cron schedules: jobs wait by their own start_after, so no timekeeper and its loop.
    schedule: false,
  });
  // pg-boss reports background errors (a lost connection, say) as events; they must not crash us.
  boss.on('error', spec.onError ?? (() => undefined));
  await boss.start();
  return boss;
}

/** Creates a queue if missing, with the policy and retry settings of its jobs. */
export async function ensureQueue(
  boss: PgBoss,
  name: string,
  options: Omit<PgBoss.Queue, 'name'> = {},
): Promise<void> {
  const existing = await boss.getQueue(name);
  if (!existing) await boss.createQueue(name, { name, ...options });
}

/**
 * `loops` loops taking one job at a time from `queue` and handing it to `handle` (a job whose
 * handler throws fails, and the queue retries it by its policy). A loop that found a job asks
 * again at once — pg-boss sleeps a polling interval after every fetch unless notified, and a
 * loop that just found work is likely to find more —; only an idle loop waits `pollSeconds`.
 */
export async function workLoops<T extends object>(
  boss: PgBoss,
  queue: string,
  options: { loops: number; pollSeconds: number },
  handle: (job: PgBoss.JobWithMetadata<T>) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < options.loops; i += 1) {
    const loop: { id?: string } = {};
    loop.id = await boss.work<T>(
      queue,
      { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: options.pollSeconds },
      async ([job]) => {
        await handle(job);
        if (loop.id) boss.notifyWorker(loop.id);
      },
    );
  }
}

export type { PgBoss };

/** Jobs waiting in each queue (created or retrying, not yet taken); NaN for a queue that could not be read. */
export async function queueDepths(boss: PgBoss, queues: readonly string[]): Promise<Map<string, number>> {
  const sizes = await Promise.all(
    queues.map((q) => boss.getQueueSize(q, { before: 'active' }).catch(() => Number.NaN)),
  );
  return new Map(queues.map((q, i) => [q, sizes[i]]));
}

/**
 * SQL that is true while a job of `queue` whose data matches is waiting, retrying or running
 * (pg-boss's own table): a sweeper uses it to tell work that is merely slow from work whose
 * job is gone. `match` is a condition on the job row `j`, e.g. `j.data->>'runId' = r.run_id::text`.
 */
export function liveJobExists(queueParameter: string, match: string): string {
  return `EXISTS (SELECT 1 FROM pgboss.job j
                  WHERE j.name = ${queueParameter} AND j.state IN ('created', 'retry', 'active') AND ${match})`;
}
