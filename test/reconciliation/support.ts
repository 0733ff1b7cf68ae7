import { testCredentials } from '../support/tls';
import { Pool } from 'pg';
import type { Finding, Run } from '@vss/contracts';
import type { WorkerConfig } from '@vss/platform';
import { ApiKeys } from '@vss/api-keys';
import type { RunningGateway } from '../../apps/gateway/src/gateway.app';
import type { RunningRegistry } from '../../apps/population-registry/src/registry.app';
import type { RunningWorker } from '../../apps/worker/src/worker.app';
import { GatewayCallError, ReconciliationClient } from '../../tools/cli/reconcile-client';
import type { TestDatabase } from '../support/database';
import { ApprovalsClient } from '../support/approvals';
import { type FeatureSystemOptions, issueAdminKey, startTestSystem } from '../support/system';

/**
 * The whole system in this process for reconciliation tests: registry stub, gateway and
 * (unless told otherwise) a worker on a database of the test file's own, an admin and a
 * clinic key, and a client of ReconciliationService.
 */

/** Small pages and short jobs: even a handful of fixtures spans many chunks, slices and partitions. */
export const TEST_WORKER: Partial<WorkerConfig> = {
  QUEUE_POLL_SECONDS: 0.5,
  QUEUE_SUPERVISE_SECONDS: 1,
  JOB_EXPIRE_SECONDS: 5,
  REGISTRY_DEADLINE_MS: 2000,
  RECONCILE_EXPORT_PAGE_SIZE: 3,
  RECONCILE_CHUNK_SIZE: 3,
  RECONCILE_RECORDS_PAGE_SIZE: 3,
};

export interface System {
  db: TestDatabase;
  pool: Pool;
  registry: RunningRegistry;
  gateway: RunningGateway;
  admin: ReconciliationClient;
  clinic: ReconciliationClient;
  adminKey: string;
  /** Issued to an operator with the approver role (a second person). */
  approverKey: string;
  approvals: ApprovalsClient;
  startWorker(overrides?: Partial<WorkerConfig>): Promise<RunningWorker>;
  stopWorkers(): Promise<void>;
  /** Starts a run and waits for its end. */
  runToEnd(request: Parameters<ReconciliationClient['startRun']>[0]): Promise<Run>;
  findings(runId: string): Promise<Finding[]>;
  stop(): Promise<void>;
}

export async function startSystem(
  label: string,
  /** seed: fills the database before the apps start. */
  options: FeatureSystemOptions = {},
): Promise<System> {
  const system = await startTestSystem(label, {
    seed: options.seed,
    worker: options.worker,
    gatewayConfig: {
      JOB_EXPIRE_SECONDS: 5,
      RECONCILE_PARTITIONS: 3,
      ...options.gatewayConfig,
    },
    workerConfig: { ...TEST_WORKER, ...options.workerConfig },
  });
  const { db, pool, registry, gateway, stopWorkers } = system;
  const keys = new ApiKeys(pool);
  const adminKey = await issueAdminKey(pool, ['operator', 'reviewer'], 'test.admin');
  const approverKey = await issueAdminKey(pool, ['approver', 'auditor'], 'test.approver');
  const approvals = new ApprovalsClient(gateway.grpcAddress);
  await pool.query(`INSERT INTO vss.facilities (facility_code, name, province_code) VALUES ('01001', 'Trạm y tế', '001')
                    ON CONFLICT DO NOTHING`);
  const clinicKey = (await keys.issue({ role: 'clinic', label: 'test clinic', facilityCode: '01001' }))
    .apiKey;
  const admin = new ReconciliationClient(gateway.grpcAddress, adminKey, testCredentials());
  const clinic = new ReconciliationClient(gateway.grpcAddress, clinicKey, testCredentials());
  return {
    db,
    pool,
    registry,
    gateway,
    admin,
    clinic,
    adminKey,
    approverKey,
    approvals,
    startWorker: system.startWorker,
    stopWorkers,
    async runToEnd(request) {
      const run = await admin.startRun(request);
      return admin.watch(run.runId);
    },
    async findings(runId) {
      const all: Finding[] = [];
      for await (const page of admin.findings({ runId })) all.push(...page.findings);
      return all;
    },
    async stop() {
      admin.close();
      approvals.close();
      clinic.close();
      await system.stop();
    },
  };
}

/** Counts per outcome of a run, MATCHED included, as plain numbers. */
export function countsOf(run: Run): Record<string, number> {
  return Object.fromEntries(run.counts.map((c) => [c.outcome.replace('OUTCOME_', ''), Number(c.count)]));
}

/** The refusal of a call through the CLI's client: its status, message and field. */
export async function refusal(promise: Promise<unknown>): Promise<GatewayCallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayCallError);
  return error as GatewayCallError;
}
