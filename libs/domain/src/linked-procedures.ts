/**
 * The linked procedures of Decree 63/2024/NĐ-CP ("liên thông"): one civil registration starts a
 * chain of steps in other agencies' records, so that a family files once.
 * - Birth registration → the child in the population database → permanent residence
 *   (đăng ký thường trú) → the child's free HI card (object group TE).
 * - Death registration → the death in the population database → permanent residence cancelled
 *   (xóa đăng ký thường trú) → coverage and monthly benefits end → funeral allowance
 *   (trợ cấp mai táng) / funeral cost support (hỗ trợ chi phí mai táng) → payout to the claimant.
 *
 * The plan is data shared by the gateway (which creates a procedure with all its steps pending)
 * and the worker (which runs them in this order).
 */
import type { Gender } from './citizen-id';
import type { IsoDate } from './dates';
import type { OfficeArea } from './jurisdiction';
import type { TransitionTable } from './transitions';

/** A registration's own procedure. */
export type RegistrationKind = 'BIRTH' | 'DEATH';

/**
 * A registration undone or corrected by the office (a revoked or corrected event): the procedure
 * that compensates what the original's procedure did.
 */
export type AmendmentKind = 'DEATH_REVOCATION' | 'DEATH_CORRECTION' | 'BIRTH_REVOCATION' | 'BIRTH_CORRECTION';

export type LinkedProcedureKind = RegistrationKind | AmendmentKind;

export const AMENDMENT_KINDS: readonly AmendmentKind[] = [
  'DEATH_REVOCATION',
  'DEATH_CORRECTION',
  'BIRTH_REVOCATION',
  'BIRTH_CORRECTION',
];

export function isAmendment(kind: LinkedProcedureKind): kind is AmendmentKind {
  return (AMENDMENT_KINDS as readonly string[]).includes(kind);
}

/** The registration an amendment is about. */
export function amendedKind(kind: AmendmentKind): RegistrationKind {
  return kind.startsWith('DEATH') ? 'DEATH' : 'BIRTH';
}

/** The civil registry office's reference of a registration. */
export type RegistrationRef = {
  officeCode: string;
  /** The office's own identifier of the event: with officeCode, the idempotency key. */
  eventId: string;
  registrationNumber: string;
  registrationDate: IsoDate;
};

/** A birth registration after validation, as stored with the event and read by the worker. */
export type BirthRegistrationFacts = {
  childCitizenId: string;
  childFullName: string;
  childDateOfBirth: IsoDate;
  childGender: Gender;
  fatherCitizenId?: string;
  motherCitizenId?: string;
  residenceAddress: string;
  residenceProvinceCode: string;
  /** Chosen primary-care facility; absent to default by residence. */
  primaryCareFacilityCode?: string;
};

/** A death registration after validation, as stored with the event and read by the worker. */
export type DeathRegistrationFacts = {
  deceasedCitizenId: string;
  dateOfDeath: IsoDate;
  workRelated: boolean;
  claimant: {
    citizenId: string;
    fullName: string;
    relationship: string;
    bankCode: string;
    accountNumber: string;
    accountHolder: string;
  };
  /** Where the person died, as filed: decides the office only when no last residence is known. */
  placeOfDeathProvinceCode?: string;
};

/** The original registration an amendment refers to, and its procedure. */
export type OriginalRef = { officeCode: string; eventId: string; procedureId: string };

/** A birth's facts a correction may change; absent ones stay as registered. */
export type BirthCorrection = Partial<
  Pick<BirthRegistrationFacts, 'childFullName' | 'childDateOfBirth' | 'childGender'>
>;

/** A death's facts a correction may change. */
export type DeathCorrection = Pick<DeathRegistrationFacts, 'dateOfDeath'>;

type Filed = { header: RegistrationRef; office?: OfficeArea };
/** What an amendment holds besides the filing: the original, the office's reason, and the facts in force when it was filed. */
type Amends = Filed & { original: OriginalRef; reason: string };

/**
 * What a stored event holds. `office` is the filing office's registered area at acceptance
 * (events accepted before offices were registered have none, and are judged as outside). An
 * amendment keeps the original's facts as they stood when it was accepted (`birth` / `death`,
 * with any earlier correction applied) and, for a correction, the corrected ones.
 */
export type CivilEventPayload =
  | (Filed & { kind: 'BIRTH'; birth: BirthRegistrationFacts })
  | (Filed & { kind: 'DEATH'; death: DeathRegistrationFacts })
  | (Amends & { kind: 'DEATH_REVOCATION'; death: DeathRegistrationFacts })
  | (Amends & { kind: 'DEATH_CORRECTION'; death: DeathRegistrationFacts; corrected: DeathCorrection })
  | (Amends & { kind: 'BIRTH_REVOCATION'; birth: BirthRegistrationFacts })
  | (Amends & { kind: 'BIRTH_CORRECTION'; birth: BirthRegistrationFacts; corrected: BirthCorrection });

/** The person an event is about. */
export function subjectOf(payload: CivilEventPayload): string {
  return 'birth' in payload ? payload.birth.childCitizenId : payload.death.deceasedCitizenId;
}

/**
 * Why a step holds a procedure for an approver (a second person) before any change:
 * - OUTSIDE_JURISDICTION: the registry does not place the person in the filing office's area;
 * - LATE_REGISTRATION: received after the period of arts. 15 / 33 of the Law on Civil Status;
 * - PAYOUT_CHECKS: the payout's account or claimant was paid for another death within a year,
 *   the office's payouts of the day passed their number, or the amount passed the threshold;
 * - DEATH_AMENDMENT: a revoked or corrected death, always (it restores or moves a pension, a
 *   card and a funeral payment on one office's word).
 */
export type ProcedureHold =
  'OUTSIDE_JURISDICTION' | 'LATE_REGISTRATION' | 'PAYOUT_CHECKS' | 'DEATH_AMENDMENT';
export const PROCEDURE_HOLDS: readonly ProcedureHold[] = [
  'OUTSIDE_JURISDICTION',
  'LATE_REGISTRATION',
  'PAYOUT_CHECKS',
  'DEATH_AMENDMENT',
];

export const BIRTH_STEPS = ['register_birth', 'verify_child', 'register_residence', 'issue_card'] as const;

export const DEATH_STEPS = [
  'verify_deceased',
  'record_death',
  'cancel_residence',
  'end_coverage',
  'assess_benefits',
  'create_payout',
] as const;

/**
 * The compensations: each first checks the original still stands as it left it (and, for a
 * death, waits for an approver), then undoes or redoes in the registry and in VSS's records
 * what the original's steps did, in the reverse order of their effect on the person.
 */
export const DEATH_REVOCATION_STEPS = [
  'check_amendment',
  'revoke_death_record',
  'restore_residence',
  'reinstate_coverage',
  'settle_funeral',
] as const;
export const DEATH_CORRECTION_STEPS = [
  'check_amendment',
  'correct_death_record',
  'recompute_coverage',
  'reassess_funeral',
] as const;
export const BIRTH_REVOCATION_STEPS = ['check_amendment', 'cancel_card', 'remove_residence'] as const;
export const BIRTH_CORRECTION_STEPS = ['check_amendment', 'correct_birth_record', 'reissue_card'] as const;

export type BirthStep = (typeof BIRTH_STEPS)[number];
export type DeathStep = (typeof DEATH_STEPS)[number];
export type AmendmentStep =
  | (typeof DEATH_REVOCATION_STEPS)[number]
  | (typeof DEATH_CORRECTION_STEPS)[number]
  | (typeof BIRTH_REVOCATION_STEPS)[number]
  | (typeof BIRTH_CORRECTION_STEPS)[number];
export type ProcedureStepName = BirthStep | DeathStep | AmendmentStep;

const STEPS: Record<LinkedProcedureKind, readonly ProcedureStepName[]> = {
  BIRTH: BIRTH_STEPS,
  DEATH: DEATH_STEPS,
  DEATH_REVOCATION: DEATH_REVOCATION_STEPS,
  DEATH_CORRECTION: DEATH_CORRECTION_STEPS,
  BIRTH_REVOCATION: BIRTH_REVOCATION_STEPS,
  BIRTH_CORRECTION: BIRTH_CORRECTION_STEPS,
};

/** Procedure states, as stored and as the API names them without its prefix. */
export type LinkedProcedureState =
  | 'ACCEPTED'
  | 'RUNNING'
  | 'WAITING_RETRY'
  | 'NEEDS_REVIEW'
  | 'AWAITING_APPROVAL'
  | 'COMPLETED'
  | 'RESOLVED'
  | 'REJECTED';

/**
 * How a procedure's state changes, and only so (procedures.repository.ts writes each through
 * its name):
 */
export const PROCEDURE_TRANSITIONS = {
  /** A worker takes the current step's job (again, after a wait or a worker that died). */
  claim: { from: ['ACCEPTED', 'RUNNING', 'WAITING_RETRY'], to: ['RUNNING'] },
  /** The step is done and the next one is queued. */
  advance: { from: ['RUNNING'], to: ['RUNNING'] },
  /** The last step is done. */
  complete: { from: ['RUNNING'], to: ['COMPLETED'] },
  /** A transient failure (the registry down): the step waits for its next attempt. */
  retryLater: { from: ['RUNNING'], to: ['WAITING_RETRY'] },
  /** A person must look: the step refused, or the sweeper gave up on a job lost too often. */
  needReview: { from: ['ACCEPTED', 'RUNNING', 'WAITING_RETRY'], to: ['NEEDS_REVIEW'] },
  /** A new job for the current step: the sweeper's for a lost job, an administrator's retry. */
  requeue: { from: ['ACCEPTED', 'RUNNING', 'WAITING_RETRY', 'NEEDS_REVIEW'], to: ['RUNNING'] },
  /** An administrator closes a procedure in review, with a note of what was done. */
  resolve: { from: ['NEEDS_REVIEW'], to: ['RESOLVED'] },
  /** A step holds the procedure for a second person before any change (a ProcedureHold). */
  awaitApproval: { from: ['RUNNING'], to: ['AWAITING_APPROVAL'] },
  /** An approver releases the hold: the step that held runs again, knowing it was released. */
  release: { from: ['AWAITING_APPROVAL'], to: ['RUNNING'] },
  /** An approver refuses: nothing further is done. */
  reject: { from: ['AWAITING_APPROVAL'], to: ['REJECTED'] },
} as const satisfies TransitionTable<LinkedProcedureState>;

export type ProcedureTransition = keyof typeof PROCEDURE_TRANSITIONS;

/** States after which nothing changes without an administrator: a watcher may stop watching. */
export const SETTLED_PROCEDURE_STATES: readonly LinkedProcedureState[] = [
  'COMPLETED',
  'NEEDS_REVIEW',
  'AWAITING_APPROVAL',
  'RESOLVED',
  'REJECTED',
];

export type StepState = 'PENDING' | 'RUNNING' | 'DONE' | 'FAILED' | 'SKIPPED';

/** The steps of a procedure of this kind, in the order they run. */
export function stepsOf(kind: LinkedProcedureKind): readonly ProcedureStepName[] {
  return STEPS[kind];
}

/** The step after `step`, or undefined when it is the last; throws RangeError for a step of another kind. */
export function nextStep(kind: LinkedProcedureKind, step: ProcedureStepName): ProcedureStepName | undefined {
  const steps = stepsOf(kind);
  const index = steps.indexOf(step);
  if (index < 0) throw new RangeError(`${step} is not a step of a ${kind.toLowerCase()} procedure`);
  return steps[index + 1];
}

/** True when the state needs no more work from the worker. */
export function isSettled(state: LinkedProcedureState): boolean {
  return SETTLED_PROCEDURE_STATES.includes(state);
}

/**
 * The name of the durable queue that carries procedure steps, shared by the gateway (which
 * enqueues the first step in the transaction that accepts the event) and the worker.
 */
export const PROCEDURE_STEP_QUEUE = 'linked-procedure-step';

/** What a queued step job carries: the procedure, and the generation of the job (see the worker). */
export type ProcedureStepJob = { procedureId: string; jobSeq: number };

/**
 * Retries of a step job by the queue itself, which happen when a worker died holding it (the job
 * expires) or could not even record a failure (the database was away). Failures of the step's
 * own work are retried by the worker, without limit for a registry that is down.
 */
export const PROCEDURE_STEP_QUEUE_RETRY = Object.freeze({
  retryLimit: 20,
  retryDelay: 1,
  retryBackoff: true,
});

/**
 * How long to wait before attempt `attempt + 1` of a step that failed transiently: exponential
 * from `baseMs`, capped at `maxMs`, with `jitter` in [0, 1) spreading the retries of procedures
 * that failed together (a registry outage fails hundreds at once) over the second half of the delay.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, jitter: number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * Math.min(Math.max(jitter, 0), 1));
}
