import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type {
  BatchLookupCoverageRequest,
  BatchLookupCoverageResponse,
  ListAccessHistoryRequest,
  ListAccessHistoryResponse,
  ListCoverageLookupsRequest,
  ListCoverageLookupsResponse,
  LookupCoverageRequest,
  LookupCoverageResponse,
} from '@vss/contracts';
import { CALL_TALLY, Clock } from '@vss/platform';
import { AccessHistoryRepository, AuditAction, type AuditReceipt, AuditTrail } from '@vss/audit';
import { type Caller, SecurityErrorCode, securityError } from '@vss/security';
import { LOGGER } from '@vss/platform';
import { type CoverageAnswer, decideFromRecords } from './coverage.decision';
import { CoverageErrorCode, coverageError } from './coverage.errors';
import { CoverageRecords } from './coverage.records';
import {
  encodeListToken,
  type LookupQuery,
  parseBatchRequest,
  parseListRequest,
  parseLookupRequest,
} from './coverage.request';
import { outcomeOf, toAccessRecord, toLookupRecord, toResponse } from './coverage.response';
import { readStore } from './coverage.store';
import { IdentityCheck, type IdentityVerdict } from './identity-check';

const NOT_CHECKED: IdentityVerdict = Object.freeze({ result: 'NOT_CHECKED', mismatchedFields: [] });

/** How the call reached us, kept in the audit record. */
export type Channel = 'grpc' | 'http';

/**
 * Health-insurance coverage lookups for clinics at reception: validate, check that the clinic
 * asks for its own facility, decide from VSS's records (and, when chip data came with the
 * request, check the identity with the registry at the same time), then write the audit record
 * and only then answer: an answer that left always has its record.
 */
@Injectable()
export class CoverageService {
  constructor(
    private readonly records: CoverageRecords,
    private readonly history: AccessHistoryRepository,
    private readonly identity: IdentityCheck,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async lookup(
    caller: Caller,
    request: LookupCoverageRequest,
    channel: Channel,
  ): Promise<LookupCoverageResponse> {
    const query = parseLookupRequest(request, this.clock.today());
    // A clinic asking for its own facility, the usual case, needs no database.
    if (caller.facilityCode !== query.facilityCode) await this.authorizeFacility(caller, query.facilityCode);
    const identity = query.chip ? this.identity.check(query.citizenId, query.chip) : undefined;
    const records = await this.read(() => this.records.get(query.citizenId));
    const verdict = identity ? await identity : NOT_CHECKED;
    // VSS has no record: whether the registry knows the ID tells "no card" from "no such citizen".
    const registry =
      records.length > 0
        ? undefined
        : (verdict.registry ?? (await this.identity.presence([query.citizenId]))[0]);
    const answer = decideFromRecords(records, query.visitDate, registry);
    const receipt = await this.record(caller, query, answer, verdict, channel);
    CALL_TALLY.lookupsAnswered++;
    return toResponse(query.citizenId, query.visitDate, query.facilityCode, answer, verdict, receipt);
  }

  /** Up to 500 IDs for one facility and date, answered in request order, each audited. */
  async batchLookup(
    caller: Caller,
    request: BatchLookupCoverageRequest,
    channel: Channel,
  ): Promise<BatchLookupCoverageResponse> {
    const batch = parseBatchRequest(request, this.clock.today());
    await this.authorizeFacility(caller, batch.facilityCode);
    const records = await this.read(() => Promise.all(batch.citizenIds.map((id) => this.records.get(id))));
    const unknownToVss = batch.citizenIds.filter((_, i) => records[i].length === 0);
    const presence = new Map(
      (await this.identity.presence(unknownToVss)).map((answer, i) => [unknownToVss[i], answer]),
    );
    const results = await Promise.all(
      batch.citizenIds.map(async (citizenId, i) => {
        const query: LookupQuery = {
          citizenId,
          facilityCode: batch.facilityCode,
          visitDate: batch.visitDate,
          subject: 'citizen_id',
        };
        const answer = decideFromRecords(records[i], batch.visitDate, presence.get(citizenId));
        const receipt = await this.record(caller, query, answer, NOT_CHECKED, channel, true);
        return toResponse(citizenId, batch.visitDate, batch.facilityCode, answer, NOT_CHECKED, receipt);
      }),
    );
    CALL_TALLY.lookupsAnswered += results.length;
    return { results };
  }

  /** Who looked a citizen up, newest first (administrators); the reading is audited. */
  async listLookups(
    caller: Caller,
    request: ListCoverageLookupsRequest,
  ): Promise<ListCoverageLookupsResponse> {
    const { page, nextPageToken } = await this.historyPage(caller, request, [AuditAction.CoverageLookup]);
    return { lookups: page.map(toLookupRecord), nextPageToken };
  }

  /** Every access to a citizen's data, newest first (administrators); the reading is audited. */
  async listAccessHistory(
    caller: Caller,
    request: ListAccessHistoryRequest,
  ): Promise<ListAccessHistoryResponse> {
    const { page, nextPageToken } = await this.historyPage(caller, request, undefined);
    return { accesses: page.map(toAccessRecord), nextPageToken };
  }

  /**
   * One page of a citizen's accesses (of these actions, or all). The reading is recorded after
   * the page is read: it shows in the next listing, not in itself.
   */
  private async historyPage(
    caller: Caller,
    request: ListCoverageLookupsRequest | ListAccessHistoryRequest,
    actions: string[] | undefined,
  ) {
    const query = parseListRequest(request, this.clock.today());
    // One more than asked tells whether there is a next page without counting.
    const rows = await this.read(() =>
      this.history.accessesOf(query.citizenId, query.after, query.pageSize + 1, actions),
    );
    await this.historyRead(caller, query.citizenId, actions ? actions.join(',') : 'all');
    const page = rows.slice(0, query.pageSize);
    const last = page[page.length - 1];
    return {
      page,
      nextPageToken:
        rows.length > query.pageSize && last ? encodeListToken(query.citizenId, last.at, last.event_id) : '',
    };
  }

  private historyRead(caller: Caller, citizenId: string, scope: string): Promise<unknown> {
    return this.read(() =>
      this.audit.record({
        caller,
        action: AuditAction.AccessHistoryRead,
        subjectCitizenId: citizenId,
        purpose: 'oversight',
        outcome: 'READ',
        detail: { scope },
      }),
    );
  }

  /**
   * A clinic acts for its own facility only. A code that is not a facility at all is the
   * caller's mistake (INVALID_ARGUMENT); someone else's facility is PERMISSION_DENIED.
   */
  private async authorizeFacility(caller: Caller, facilityCode: string): Promise<void> {
    if (caller.facilityCode === facilityCode) return;
    const exists = await this.read(() => this.records.facilityExists(facilityCode));
    if (!exists) {
      throw coverageError(
        CoverageErrorCode.UnknownFacility,
        `facility_code ${facilityCode} is not a known facility`,
        'facility_code',
      );
    }
    throw securityError(
      SecurityErrorCode.WrongFacility,
      caller.facilityCode
        ? `this key acts for facility ${caller.facilityCode}; it may not look up as facility ${facilityCode}`
        : `the ${caller.role} role does not act for a facility`,
    );
  }

  private async record(
    caller: Caller,
    query: LookupQuery,
    answer: CoverageAnswer,
    identity: IdentityVerdict,
    channel: Channel,
    batch = false,
  ): Promise<AuditReceipt> {
    const detail: Record<string, unknown> = {
      identity: identity.result,
      visit_date: query.visitDate,
      channel,
      subject: query.subject,
    };
    if (identity.mismatchedFields.length > 0) detail.mismatched_fields = identity.mismatchedFields;
    if (answer.record) detail.social_insurance_code = answer.record.socialInsuranceCode;
    if (batch) detail.batch = true;
    return this.read(() =>
      this.audit.record({
        caller,
        action: AuditAction.CoverageLookup,
        subjectCitizenId: query.citizenId,
        facilityCode: query.facilityCode,
        purpose: 'reception',
        outcome: outcomeOf(answer),
        detail,
      }),
    );
  }

  /** The database failing is not the caller's fault: UNAVAILABLE, so clients retry, never INTERNAL. */
  private read<T>(work: () => Promise<T>): Promise<T> {
    return readStore(this.logger, 'coverage records', work);
  }
}
