import { ProcedureKind, ProcedureState, StepState } from '@vss/contracts';
import { enumCodec } from '@vss/platform';
import type {
  LinkedProcedureKind,
  LinkedProcedureState,
  StepState as StoredStepState,
} from '@vss/domain/linked-procedures';

/**
 * The procedure enums between proto and domain, each an exhaustive table: a state added on
 * one side and not the other fails to compile here instead of answering undefined.
 */
const STATE = {
  ACCEPTED: ProcedureState.PROCEDURE_STATE_ACCEPTED,
  RUNNING: ProcedureState.PROCEDURE_STATE_RUNNING,
  WAITING_RETRY: ProcedureState.PROCEDURE_STATE_WAITING_RETRY,
  NEEDS_REVIEW: ProcedureState.PROCEDURE_STATE_NEEDS_REVIEW,
  AWAITING_APPROVAL: ProcedureState.PROCEDURE_STATE_AWAITING_APPROVAL,
  COMPLETED: ProcedureState.PROCEDURE_STATE_COMPLETED,
  RESOLVED: ProcedureState.PROCEDURE_STATE_RESOLVED,
  REJECTED: ProcedureState.PROCEDURE_STATE_REJECTED,
} as const satisfies Record<LinkedProcedureState, ProcedureState>;

const KIND = {
  BIRTH: ProcedureKind.PROCEDURE_KIND_BIRTH,
  DEATH: ProcedureKind.PROCEDURE_KIND_DEATH,
  DEATH_REVOCATION: ProcedureKind.PROCEDURE_KIND_DEATH_REVOCATION,
  DEATH_CORRECTION: ProcedureKind.PROCEDURE_KIND_DEATH_CORRECTION,
  BIRTH_REVOCATION: ProcedureKind.PROCEDURE_KIND_BIRTH_REVOCATION,
  BIRTH_CORRECTION: ProcedureKind.PROCEDURE_KIND_BIRTH_CORRECTION,
} as const satisfies Record<LinkedProcedureKind, ProcedureKind>;

const STEP_STATE = {
  PENDING: StepState.STEP_STATE_PENDING,
  RUNNING: StepState.STEP_STATE_RUNNING,
  DONE: StepState.STEP_STATE_DONE,
  FAILED: StepState.STEP_STATE_FAILED,
  SKIPPED: StepState.STEP_STATE_SKIPPED,
} as const satisfies Record<StoredStepState, StepState>;

const STATES = enumCodec(STATE);
const KINDS = enumCodec(KIND);

export const wireState = (state: LinkedProcedureState): ProcedureState => STATES.toWire(state);
export const wireKind = (kind: LinkedProcedureKind): ProcedureKind => KINDS.toWire(kind);
export const wireStepState = (state: StoredStepState): StepState => STEP_STATE[state];

/** A listing's state filter: undefined for UNSPECIFIED (every state) and for values the proto does not define. */
export const storedState = (state: ProcedureState | string | undefined) => STATES.fromWire(state);

/** A listing's kind filter: undefined for UNSPECIFIED (every kind) and for values the proto does not define. */
export const storedKind = (kind: ProcedureKind | string | undefined) => KINDS.fromWire(kind);
