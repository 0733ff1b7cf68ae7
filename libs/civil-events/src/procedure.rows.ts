import type { Procedure, ProcedureStep } from '@vss/contracts';
import { wireKind, wireState, wireStepState } from './procedure.codecs';
import type {
  CivilEventPayload,
  LinkedProcedureKind,
  LinkedProcedureState,
  ProcedureHold,
  ProcedureStepName,
  StepState as StoredStepState,
} from '@vss/domain/linked-procedures';
import type { ProcedurePatch } from './step';

/** A step taken up by a job: what the step needs to run, and the job's generation. */
export interface Claim {
  procedureId: string;
  seq: string;
  kind: LinkedProcedureKind;
  step: ProcedureStepName;
  jobSeq: number;
  attempts: number;
  payload: CivilEventPayload;
  assessed?: ProcedurePatch['funeral'];
  /** The day the gateway received the event, in Vietnam: what lateness is measured to. */
  receivedOn: string;
  /** Holds an approver released: the step that held runs on past them. */
  released: readonly ProcedureHold[];
}

/** What claiming a step reads. */
export interface ClaimRow {
  procedure_id: string;
  seq: string;
  kind: LinkedProcedureKind;
  current_step: ProcedureStepName;
  job_seq: number;
  attempts: number;
  payload: CivilEventPayload;
  funeral_allowance_vnd: string | null;
  funeral_allowance_basis: string | null;
  funeral_cost_support_vnd: string | null;
  funeral_cost_support_basis: string | null;
  accepted_on: string;
  released_holds: ProcedureHold[];
}

/** The claim a claimed step's row makes. */
export function claimOf(row: ClaimRow): Claim {
  return {
    procedureId: row.procedure_id,
    seq: row.seq,
    kind: row.kind,
    step: row.current_step,
    jobSeq: row.job_seq,
    attempts: row.attempts,
    payload: row.payload,
    receivedOn: row.accepted_on,
    released: row.released_holds,
    assessed:
      row.funeral_allowance_vnd === null
        ? undefined
        : {
            allowanceVnd: Number(row.funeral_allowance_vnd),
            allowanceBasis: row.funeral_allowance_basis ?? '',
            costSupportVnd: Number(row.funeral_cost_support_vnd ?? 0),
            costSupportBasis: row.funeral_cost_support_basis ?? '',
          },
  };
}

/** A step as stored. */
export interface StepRow {
  name: string;
  state: StoredStepState;
  attempts: number;
  last_error: string | null;
  outcome: string | null;
  finished_at: Date | null;
}

/** A procedure as stored, joined with its event's registration details. */
export interface ProcedureRow {
  procedure_id: string;
  seq: string;
  kind: LinkedProcedureKind;
  state: LinkedProcedureState;
  office_code: string;
  event_id: string;
  subject_citizen_id: string;
  current_step: string | null;
  version: number;
  review_reason: string | null;
  resolution_note: string | null;
  issued_social_insurance_code: string | null;
  funeral_allowance_vnd: string | null;
  funeral_allowance_basis: string | null;
  funeral_cost_support_vnd: string | null;
  funeral_cost_support_basis: string | null;
  payout_id: string | null;
  approval_id: string | null;
  created_at: Date;
  updated_at: Date;
  registration_number: string;
  registration_date: string;
  original_procedure_id: string | null;
  amendment_procedure_ids: string[] | null;
  steps?: StepRow[];
}

function wireStep(step: StepRow): ProcedureStep {
  return {
    name: step.name,
    state: wireStepState(step.state),
    attempts: step.attempts,
    lastError: step.last_error ?? '',
    outcome: step.outcome ?? '',
    finishedAt: step.finished_at?.toISOString() ?? '',
  };
}

/** The API's view of a stored procedure. */
export function toProcedure(row: ProcedureRow): Procedure {
  const assessed = row.funeral_allowance_vnd !== null || row.funeral_cost_support_vnd !== null;
  return {
    procedureId: row.procedure_id,
    kind: wireKind(row.kind),
    state: wireState(row.state),
    header: {
      officeCode: row.office_code,
      eventId: row.event_id,
      registrationNumber: row.registration_number,
      registrationDate: row.registration_date,
    },
    subjectCitizenId: row.subject_citizen_id,
    steps: (row.steps ?? []).map(wireStep),
    reviewReason: row.review_reason ?? '',
    issuedSocialInsuranceCode: row.issued_social_insurance_code ?? '',
    funeralBenefits: assessed
      ? {
          funeralAllowanceVnd: row.funeral_allowance_vnd ?? '0',
          funeralAllowanceBasis: row.funeral_allowance_basis ?? '',
          funeralCostSupportVnd: row.funeral_cost_support_vnd ?? '0',
          funeralCostSupportBasis: row.funeral_cost_support_basis ?? '',
          payoutId: row.payout_id ?? '',
        }
      : undefined,
    resolutionNote: row.resolution_note ?? '',
    approvalId: row.approval_id ?? '',
    originalProcedureId: row.original_procedure_id ?? '',
    amendmentProcedureIds: row.amendment_procedure_ids ?? [],
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
