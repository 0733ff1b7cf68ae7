import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AccessRecord, LookupCoverageResponse } from '@vss/contracts';
import { Clock, LOGGER } from '@vss/platform';
import { AccessHistoryRepository, AuditAction, AuditTrail, type AuditReceipt } from '@vss/audit';
import { FacilitiesRepository, PersonRecordsRepository, type PersonRecords } from '@vss/insurance-records';
import { type Caller } from '@vss/security';
import { decideFromRecords } from './coverage.decision';
import { CoverageRecords } from './coverage.records';
import { encodeListToken, parseListRequest } from './coverage.request';
import { readStore } from './coverage.store';
import { toAccessRecord, toResponse } from './coverage.response';

/** What an officer sees of one person: coverage, records, and who accessed them. */
export interface PersonView {
  citizenId: string;
  /** Coverage today as a clinic at the card's primary-care facility would be answered (no chip read). */
  coverage: LookupCoverageResponse;
  records: PersonRecords;
  /** One page of every access to the person's data, newest first. */
  accesses: AccessRecord[];
  nextPageToken: string;
  /** This reading's own entry in the audit chain: it shows in the history from the next reading on. */
  receipt: AuditReceipt;
}

/** One page of a person's access history, for their printed report. */
export interface AccessReport {
  citizenId: string;
  accesses: AccessRecord[];
  /** True when the person has more accesses than the report holds (it holds the newest). */
  truncated: boolean;
  receipt: AuditReceipt;
}

const REPORT_LIMIT = 1000;

/**
 * A person's page for the officers who oversee the gateway, reached by citizen ID only: their
 * coverage as a clinic would see it, their cards, benefits, payments and payouts, and every
 * access to their data (Decree 13/2023: a person may ask who processed their data). Each
 * reading is itself an access, recorded before the answer leaves.
 */
@Injectable()
export class PersonService {
  constructor(
    private readonly coverage: CoverageRecords,
    private readonly people: PersonRecordsRepository,
    private readonly facilityRecords: FacilitiesRepository,
    private readonly history: AccessHistoryRepository,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The health facilities of a province (the facilities clinics' keys and certificates name). */
  facilities(provinceCode: string) {
    return /^[0-9]{3}$/.test(provinceCode)
      ? this.facilityRecords.ofProvince(provinceCode, 1000)
      : Promise.resolve([]);
  }

  /** Refuses a citizen ID the page cannot be opened for, with the field and what is wrong. */
  check(citizenId: string): Promise<void> {
    parseListRequest({ citizenId, pageToken: '', pageSize: 1 }, this.clock.today());
    return Promise.resolve();
  }

  /** The page: `pageToken` (from the previous page) pages the access history, 50 at a time. */
  async view(caller: Caller, citizenId: string, pageToken = '', pageSize = 50): Promise<PersonView> {
    const today = this.clock.today();
    const query = parseListRequest({ citizenId, pageToken, pageSize }, today);
    const [records, coverageRecords, rows] = await this.read(() =>
      Promise.all([
        this.people.recordsOf(query.citizenId),
        this.coverage.get(query.citizenId),
        this.history.accessesOf(query.citizenId, query.after, query.pageSize + 1),
      ]),
    );
    const answer = decideFromRecords(coverageRecords, today);
    const receipt = await this.recordReading(caller, query.citizenId, 'page', {
      historyPage: pageToken === '' ? 'first' : 'next',
    });
    const facility = answer.record?.card?.primaryCareFacilityCode ?? '';
    const page = rows.slice(0, query.pageSize);
    const last = page[page.length - 1];
    return {
      citizenId: query.citizenId,
      coverage: toResponse(
        query.citizenId,
        today,
        facility,
        answer,
        { result: 'NOT_CHECKED', mismatchedFields: [] },
        receipt,
      ),
      records,
      accesses: page.map(toAccessRecord),
      nextPageToken:
        rows.length > query.pageSize && last ? encodeListToken(query.citizenId, last.at, last.event_id) : '',
      receipt,
    };
  }

  /** The access report a person is given: their newest accesses (up to 1,000), each with its receipt. */
  async report(caller: Caller, citizenId: string): Promise<AccessReport> {
    const query = parseListRequest({ citizenId, pageToken: '', pageSize: 1 }, this.clock.today());
    const rows = await this.read(() => this.history.accessesOf(query.citizenId, undefined, REPORT_LIMIT + 1));
    const receipt = await this.recordReading(caller, query.citizenId, 'report', {
      entries: Math.min(rows.length, REPORT_LIMIT),
    });
    return {
      citizenId: query.citizenId,
      accesses: rows.slice(0, REPORT_LIMIT).map(toAccessRecord),
      truncated: rows.length > REPORT_LIMIT,
      receipt,
    };
  }

  private recordReading(
    caller: Caller,
    citizenId: string,
    what: 'page' | 'report',
    detail: Record<string, unknown>,
  ): Promise<AuditReceipt> {
    return this.read(() =>
      this.audit.record({
        caller,
        action: what === 'page' ? AuditAction.PersonViewed : AuditAction.AccessReportPrinted,
        subjectCitizenId: citizenId,
        purpose: 'oversight',
        outcome: 'READ',
        detail,
      }),
    );
  }

  private read<T>(work: () => Promise<T>): Promise<T> {
    return readStore(this.logger, 'the records', work);
  }
}
