import type { PoolClient } from 'pg';
import type {
  CivilEventPayload,
  LinkedProcedureKind,
  ProcedureHold,
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

/**
 * How a step ended: done (or not applicable), stopped for a person to look at, or held for an
 * approver before it changes anything (the step runs again once the hold is released).
 */
export type Verdict =
  | { status: 'DONE' | 'SKIPPED'; outcome: string; patch?: ProcedurePatch }
  | { status: 'REVIEW'; reason: string }
  | { status: 'APPROVAL'; hold: ProcedureHold; reason: string; detail?: Record<string, unknown> };

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
  /** The day the gateway received the event (Vietnam): lateness is measured to it. */
  receivedOn: string;
  /** Holds an approver released on this procedure: a step does not hold again for them. */
  released: readonly ProcedureHold[];
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

/** Holds the procedure for an approver, unless one already released this hold. */
export const hold = (
  context: Pick<StepContext, 'released'>,
  kind: ProcedureHold,
  reason: string,
  detail?: Record<string, unknown>,
): Verdict | undefined =>
  context.released.includes(kind) ? undefined : { status: 'APPROVAL', hold: kind, reason, detail };

/**
 * How a reason names an earlier registration of the same event: fully when the filing office
 * made it, and only as "by another office" otherwise (its code and procedure are not this
 * office's to read; VSS has them).
 */
export function earlierRegistration(
  earlier: { officeCode: string; eventId: string; procedureId: string; state: string },
  header: { officeCode: string },
): string {
  return earlier.officeCode === header.officeCode
    ? `by this office (event ${earlier.eventId}, procedure ${earlier.procedureId}, ${earlier.state})`
    : 'by another office (VSS has the details)';
}
