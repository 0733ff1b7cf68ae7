import {
  type ApproveRequest,
  ApprovalState as WireApprovalState,
  type ListApprovalsRequest,
  type RejectRequest,
} from '@vss/contracts';
import { UUID_PATTERN } from '@vss/domain';
import { decodePageToken, pageTokenMessage } from '@vss/platform';
import { storedApprovalState } from '../approval.codecs';
import type { ApprovalState } from '../approvals.repository';
import { invalidApprovalField } from '../approvals.errors';

/** The requests of ApprovalService, checked without the database (INVALID_ARGUMENT naming the field). */

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;
const MAX_NOTE = 2000;
const SEQ = /^[0-9]{1,18}$/;

export function requireApprovalId(approvalId: string | undefined): string {
  if (!UUID_PATTERN.test(approvalId ?? '')) {
    throw invalidApprovalField(
      'approval_id',
      `${JSON.stringify(approvalId ?? '')} is not an approval ID (a UUID)`,
    );
  }
  return approvalId!;
}

export function checkApprovalRequest(request: { approvalId?: string }): void {
  requireApprovalId(request.approvalId);
}

/** An approver's note, tidied; required to reject (the requester reads why). */
export function parseDecisionNote(note: string | undefined, required: boolean): string | undefined {
  const tidy = (note ?? '').replace(/\s+/gu, ' ').trim();
  if (tidy === '') {
    if (required) throw invalidApprovalField('note', 'is required: say why it is refused');
    return undefined;
  }
  if (tidy.length > MAX_NOTE)
    throw invalidApprovalField('note', `is ${tidy.length} characters long; at most ${MAX_NOTE}`);
  return tidy;
}

export function checkApproveRequest(request: Partial<ApproveRequest>): void {
  requireApprovalId(request.approvalId);
  parseDecisionNote(request.note, false);
}

export function checkRejectRequest(request: Partial<RejectRequest>): void {
  requireApprovalId(request.approvalId);
  parseDecisionNote(request.note, true);
}

/** ListApprovals: the state (PENDING when unspecified), the page's position and size. */
export function parseListApprovals(request: Partial<ListApprovalsRequest>): {
  state: ApprovalState;
  beforeSeq?: string;
  limit: number;
} {
  const pageSize = request.pageSize ?? 0;
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > MAX_PAGE) {
    throw invalidApprovalField('page_size', `must be 0 (meaning ${DEFAULT_PAGE}) to ${MAX_PAGE}`);
  }
  let state: ApprovalState = 'PENDING';
  if (request.state !== undefined && request.state !== WireApprovalState.APPROVAL_STATE_UNSPECIFIED) {
    const stored = storedApprovalState(request.state);
    if (!stored) throw invalidApprovalField('state', `${String(request.state)} is not an approval state`);
    state = stored;
  }
  let beforeSeq: string | undefined;
  if (request.pageToken) {
    const decoded = decodePageToken(request.pageToken, { filter: { state }, shape: [SEQ] });
    if (!decoded.ok) throw invalidApprovalField('page_token', pageTokenMessage(decoded.problem));
    beforeSeq = decoded.position[0];
  }
  return { state, beforeSeq, limit: pageSize || DEFAULT_PAGE };
}
