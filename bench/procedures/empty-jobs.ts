import { ensureQueue, startJobQueue } from '@vss/platform';

/**
 * The baseline of the procedures benchmark, run as a process of its own like the worker:
 * pg-boss 10 with empty jobs. Sends BENCH_JOBS jobs, one transaction each, BENCH_CONCURRENCY
 * at a time (as the gateway does), while BENCH_LOOPS work loops configured as the worker's
 * (one job per fetch, a loop that found work fetches again at once) take them. Prints one
 * JSON line.
 */
const env = process.env;
const values = {
  url: env.DATABASE_URL,
  jobs: env.BENCH_JOBS ?? '10000',
  concurrency: env.BENCH_CONCURRENCY ?? '32',
  loops: env.BENCH_LOOPS ?? '8',
  'poll-seconds': env.BENCH_POLL_SECONDS ?? '0.5',
};
const QUEUE = 'bench-empty';

async function main(): Promise<void> {
  if (!values.url) throw new Error('DATABASE_URL is required');
  const jobs = Number(values.jobs);
  const boss = await startJobQueue({
    url: values.url,
    expireInSeconds: 30,
    maintenanceIntervalSeconds: 5,
    poolSize: 10,
    applicationName: 'bench:empty-jobs',
  });
  await ensureQueue(boss, QUEUE);

  // Consumers first, as the worker runs while the gateway accepts: jobs are sent and taken at once.
  let handledCount = 0;
  let allHandled: () => void = () => undefined;
  const handled = new Promise<void>((resolve) => (allHandled = resolve));
  for (let i = 0; i < Number(values.loops); i += 1) {
    const loop: { id?: string } = {};
    loop.id = await boss.work(
      QUEUE,
      { batchSize: 1, pollingIntervalSeconds: Number(values['poll-seconds']) },
      async () => {
        handledCount += 1;
        if (handledCount === jobs) allHandled();
        if (loop.id) boss.notifyWorker(loop.id);
      },
    );
  }
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Number(values.concurrency) }, async () => {
      while (next < jobs) {
        next += 1;
        await boss.send(QUEUE, {});
      }
    }),
  );
  const sendSeconds = (Date.now() - started) / 1000;
  // Timed until the handler has run for every job, as procedures are timed until their last
  // step has committed; pg-boss records completions after the handler, unawaited.
  await handled;
  const workSeconds = (Date.now() - started) / 1000;
  process.stdout.write(
    `${JSON.stringify({ jobs, sendSeconds, sendPerSecond: jobs / sendSeconds, workSeconds, workPerSecond: jobs / workSeconds })}\n`,
  );
  await boss.stop({ graceful: true, wait: true, timeout: 5000 });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`empty-jobs: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
