import {
  type Approval,
  ApprovalState as WireApprovalState,
  ApprovalSubject as WireApprovalSubject,
} from '@vss/contracts';
import { enumCodec } from '@vss/platform';
import type { ApprovalRecord, ApprovalState, ApprovalSubjectKind } from './approvals.repository';

const STATES = enumCodec({
  PENDING: WireApprovalState.APPROVAL_STATE_PENDING,
  APPROVED: WireApprovalState.APPROVAL_STATE_APPROVED,
  REJECTED: WireApprovalState.APPROVAL_STATE_REJECTED,
} as const satisfies Record<ApprovalState, WireApprovalState>);

const SUBJECTS = enumCodec({
  PROCEDURE: WireApprovalSubject.APPROVAL_SUBJECT_PROCEDURE,
  FINDINGS: WireApprovalSubject.APPROVAL_SUBJECT_FINDINGS,
  CALLER: WireApprovalSubject.APPROVAL_SUBJECT_CALLER,
} as const satisfies Record<ApprovalSubjectKind, WireApprovalSubject>);

/** A listing's state filter: undefined for values the proto does not define. */
export const storedApprovalState = (state: WireApprovalState | string | undefined) => STATES.fromWire(state);

/** The API's view of an approval. */
export function toApproval(record: ApprovalRecord): Approval {
  return {
    approvalId: record.approvalId,
    subject: SUBJECTS.toWire(record.subjectKind),
    subjectId: record.subjectId,
    hold: record.hold,
    reason: record.reason,
    officeCode: record.officeCode ?? '',
    requestedBy: record.requestedBy,
    state: STATES.toWire(record.state),
    decidedBy: record.decidedBy ?? '',
    decidedAt: record.decidedAt?.toISOString() ?? '',
    note: record.note ?? '',
    outcome: record.outcome ?? '',
    createdAt: record.createdAt.toISOString(),
  };
}
