import type { AuditReceipt } from '@vss/audit';
import { gatewayGender, genderFromStored } from '@vss/platform';
import {
  type AccessRecord,
  type CoverageLookupRecord,
  CoverageStatus,
  IdentityResult,
  type LookupCoverageResponse,
  NotCoveredReason,
} from '@vss/contracts';
import { type NotCoveredReason as DomainReason, reasonMessage } from '@vss/domain';
import type { CoverageAnswer } from './coverage.decision';
import type { AccessRow as LookupRecordRow } from '@vss/audit';
import type { IdentityOutcome, IdentityVerdict } from './identity-check';

/** Turns decisions into the contract's messages, and audit rows back into them. */

const REASONS: Record<DomainReason, NotCoveredReason> = {
  UNKNOWN_CITIZEN: NotCoveredReason.NOT_COVERED_REASON_UNKNOWN_CITIZEN,
  NO_CARD: NotCoveredReason.NOT_COVERED_REASON_NO_CARD,
  CARD_EXPIRED: NotCoveredReason.NOT_COVERED_REASON_CARD_EXPIRED,
  CARD_NOT_YET_VALID: NotCoveredReason.NOT_COVERED_REASON_CARD_NOT_YET_VALID,
  DECEASED: NotCoveredReason.NOT_COVERED_REASON_DECEASED,
  COVERAGE_SUSPENDED: NotCoveredReason.NOT_COVERED_REASON_COVERAGE_SUSPENDED,
  REINSTATEMENT_PENDING: NotCoveredReason.NOT_COVERED_REASON_REINSTATEMENT_PENDING,
};

const IDENTITY: Record<IdentityOutcome, IdentityResult> = {
  NOT_CHECKED: IdentityResult.IDENTITY_RESULT_NOT_CHECKED,
  VERIFIED: IdentityResult.IDENTITY_RESULT_VERIFIED,
  MISMATCH: IdentityResult.IDENTITY_RESULT_MISMATCH,
  UNAVAILABLE: IdentityResult.IDENTITY_RESULT_UNAVAILABLE,
};

/** The outcome column of the audit trail: `COVERED` or `NOT_COVERED:<reason>`. */
export function outcomeOf(answer: CoverageAnswer): string {
  const { status, reason } = answer.decision;
  return reason ? `${status}:${reason}` : status;
}

export function toResponse(
  citizenId: string,
  visitDate: string,
  facilityCode: string,
  answer: CoverageAnswer,
  identity: IdentityVerdict,
  receipt: AuditReceipt,
): LookupCoverageResponse {
  const { decision, record } = answer;
  const card = record?.card;
  return {
    citizenId,
    status:
      decision.status === 'COVERED'
        ? CoverageStatus.COVERAGE_STATUS_COVERED
        : CoverageStatus.COVERAGE_STATUS_NOT_COVERED,
    reason: decision.reason ? REASONS[decision.reason] : NotCoveredReason.NOT_COVERED_REASON_UNSPECIFIED,
    reasonMessage: decision.reason ? reasonMessage(decision.reason) : '',
    card:
      record && card
        ? {
            socialInsuranceCode: record.socialInsuranceCode,
            validFrom: card.validFrom,
            validTo: card.validTo ?? '',
            objectGroup: card.objectGroup,
            benefitLevelPercent: card.benefitLevelPercent,
            primaryCareFacilityCode: card.primaryCareFacilityCode,
            primaryCareFacilityName: card.primaryCareFacilityName,
            visitAtPrimaryCareFacility: card.primaryCareFacilityCode === facilityCode,
            fiveYearsContinuousFrom: card.fiveYearsContinuousFrom ?? '',
          }
        : undefined,
    holder: record
      ? {
          fullName: record.fullName,
          dateOfBirth: record.dateOfBirth,
          gender: gatewayGender(genderFromStored(record.gender)),
        }
      : undefined,
    identity: { result: IDENTITY[identity.result], mismatchedFields: identity.mismatchedFields },
    visitDate,
    lookupId: receipt.eventId,
    receipt: { seq: receipt.seq, hash: receipt.hash },
  };
}

function statusOfOutcome(outcome: string): { status: CoverageStatus; reason: NotCoveredReason } {
  const [status, reason] = outcome.split(':');
  return {
    status:
      status === 'COVERED'
        ? CoverageStatus.COVERAGE_STATUS_COVERED
        : status === 'NOT_COVERED'
          ? CoverageStatus.COVERAGE_STATUS_NOT_COVERED
          : CoverageStatus.COVERAGE_STATUS_UNSPECIFIED,
    reason:
      reason && reason in REASONS
        ? REASONS[reason as DomainReason]
        : NotCoveredReason.NOT_COVERED_REASON_UNSPECIFIED,
  };
}

export function toLookupRecord(row: LookupRecordRow): CoverageLookupRecord {
  const identity = row.identity as IdentityOutcome | null;
  return {
    lookupId: row.event_id,
    lookedUpAt: row.at,
    caller: row.caller,
    facilityCode: row.facility_code ?? '',
    purpose: row.purpose,
    ...statusOfOutcome(row.outcome),
    identity:
      identity && identity in IDENTITY ? IDENTITY[identity] : IdentityResult.IDENTITY_RESULT_UNSPECIFIED,
  };
}

export function toAccessRecord(row: LookupRecordRow): AccessRecord {
  return {
    accessId: row.event_id,
    accessedAt: row.at,
    caller: row.caller,
    callerRole: row.caller_role,
    action: row.action,
    purpose: row.purpose,
    outcome: row.outcome,
    facilityCode: row.facility_code ?? '',
    officeCode: row.office_code ?? '',
    receipt: { seq: row.seq, hash: row.hash },
  };
}
