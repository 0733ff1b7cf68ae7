import type { PoolClient } from 'pg';
import type {
  CivilEventPayload,
  LinkedProcedureKind,
  ProcedureStepName,
} from '@vss/domain/linked-procedures';
import type { RegistryClient } from '@vss/registry-client';

/** Values a step leaves on the procedure, for the API to show. */
export interface ProcedurePatch {
  issuedSocialInsuranceCode?: string;
  funeral?: {
    allowanceVnd: number;
    allowanceBasis: string;
    costSupportVnd: number;
    costSupportBasis: string;
  };
  payoutId?: string;
}

/** How a step ended: done (or not applicable), or stopped for a person to look at. */
export type Verdict =
  | { status: 'DONE' | 'SKIPPED'; outcome: string; patch?: ProcedurePatch }
  | { status: 'REVIEW'; reason: string };

/**
 * A step whose effect is in our own database returns it as `local`: the runner runs it in the
 * transaction that records the step as done and queues the next one, so the effect happens
 * exactly once however often the step is run.
 */
export type LocalEffect = { local: (client: PoolClient) => Promise<Verdict> };

export type StepResult = Verdict | LocalEffect;

/** What a step knows when it runs. */
export interface StepContext {
  procedureId: string;
  /** Acceptance order of the procedure. */
  seq: string;
  kind: LinkedProcedureKind;
  step: ProcedureStepName;
  /** This run of the step, counting from 1. */
  attempt: number;
  payload: CivilEventPayload;
  /** The funeral benefits assessed by an earlier step, when there are any. */
  assessed?: ProcedurePatch['funeral'];
  registry: RegistryClient;
  /** The registry request ID of this step: the same on every run, so the registry applies it once. */
  requestId: string;
  today: string;
}

export type StepHandler = (context: StepContext) => Promise<StepResult>;

export const done = (outcome: string, patch?: ProcedurePatch): Verdict => ({
  status: 'DONE',
  outcome,
  patch,
});
export const skipped = (outcome: string): Verdict => ({ status: 'SKIPPED', outcome });
export const review = (reason: string): Verdict => ({ status: 'REVIEW', reason });
