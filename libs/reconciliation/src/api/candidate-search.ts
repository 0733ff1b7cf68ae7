import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type {
  Candidate as CandidateMessage,
  FindCandidatesRequest,
  FindCandidatesResponse,
} from '@vss/contracts';
import { AuditAction, AuditTrail } from '@vss/audit';
import { formatPartialDate, isProvinceCode, parsePartialDate, previewInput, tidyName } from '@vss/domain';
import type { InsuranceRecord } from '@vss/domain/reconciliation';
import type { Pool } from 'pg';
import { InsuranceRecordsRepository } from '@vss/insurance-records';
import { APP_CONFIG, type GatewayConfig, genderFromGateway, LOGGER, PG_POOL } from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import type { Caller } from '@vss/security';
import { CandidateIndex } from '../candidate-index';
import { FindingsRepository } from '../findings.repository';
import { MatchModels } from '../match-models';
import { ReconciliationErrorCode, reconciliationError } from '../reconciliation.errors';
import { NameKeys, searchRequestOf, toRegistryPerson } from '../registry-person';

const DEFAULT_LIMIT = 3;
const MAX_LIMIT = 10;
const RECORD = 'request';

/**
 * FindCandidates: one demographic record, the registry's citizens its blocking rules bring
 * (SearchCitizens), ranked by the model of the runs with their evidence — the same index and
 * scoring a run uses, on one record. Every citizen answered is an access to their data, audited.
 */
@Injectable()
export class CandidateSearch {
  private readonly keys = new NameKeys();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly registry: RegistryClient,
    private readonly models: MatchModels,
    private readonly audit: AuditTrail,
    private readonly findings: FindingsRepository,
    private readonly records: InsuranceRecordsRepository,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async find(caller: Caller, request: FindCandidatesRequest): Promise<FindCandidatesResponse> {
    const { record, limit, purpose } = parseRequest(request, this.keys);
    await this.requirePurpose(purpose);
    let citizens;
    try {
      citizens = await this.registry.searchCitizens(searchRequestOf(record, this.keys), {
        deadlineMs: this.config.REGISTRY_DEADLINE_MS,
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'candidate search: the registry did not answer');
      throw reconciliationError(
        ReconciliationErrorCode.RegistryUnavailable,
        'the population registry did not answer the candidate search; try again shortly',
      );
    }
    const { model, digest } = this.models.current();
    const index = new CandidateIndex([record], this.keys, model, new Map(), limit);
    for (const citizen of citizens) index.consider(toRegistryPerson(citizen));
    const candidates = index.candidatesOf(RECORD);
    // The search itself, with what it was for and what was searched: a search of people by
    // name is an access to the registry as much as the citizens it found.
    await this.audit.record({
      caller,
      action: AuditAction.CandidatesSearched,
      purpose: 'reconciliation',
      outcome: `CANDIDATES:${candidates.length}`,
      detail: {
        ...purpose,
        searched: {
          fullName: record.fullName,
          dateOfBirth: record.dateOfBirth,
          gender: record.gender,
          provinceCode: record.provinceCode,
        },
        citizensConsidered: citizens.length,
      },
    });
    await Promise.all(
      candidates.map((c, rank) =>
        this.audit.record({
          caller,
          action: AuditAction.CandidateFound,
          subjectCitizenId: c.citizenId,
          purpose: 'reconciliation',
          outcome: 'CANDIDATE',
          detail: { rank: rank + 1, matchWeight: c.matchWeight, model: model.version, modelDigest: digest },
        }),
      ),
    );
    return {
      candidates: candidates.map((c): CandidateMessage => ({
        citizenId: c.citizenId,
        fullName: c.fullName,
        dateOfBirth: c.dateOfBirth,
        score: c.score,
        matchWeight: c.matchWeight,
        evidence: c.evidence,
      })),
      modelVersion: model.version,
      citizensConsidered: citizens.length,
    };
  }

  /** The finding or record a search names must exist: NOT_FOUND otherwise. */
  private async requirePurpose(purpose: Purpose): Promise<void> {
    if ('findingId' in purpose) {
      if (!(await this.findings.outcomeOf(purpose.findingId))) {
        throw reconciliationError(
          ReconciliationErrorCode.FindingNotFound,
          `finding_id ${purpose.findingId} is not a finding: a search of people names the finding it decides`,
          'finding_id',
        );
      }
    } else if (!(await this.records.recordExists(this.pool, purpose.socialInsuranceCode))) {
      throw reconciliationError(
        ReconciliationErrorCode.RecordNotFound,
        `social_insurance_code ${purpose.socialInsuranceCode} is not a VSS record`,
        'social_insurance_code',
      );
    }
  }
}

/** What a search is for: the finding being decided, or the record. */
type Purpose = { findingId: string } | { socialInsuranceCode: string };

/** The name keys of FindCandidates' request check (a cache of bounded size, as a search's own). */
const checkKeys = new NameKeys();

/** FindCandidates' checks that need no registry. */
export function checkCandidatesRequest(request: FindCandidatesRequest): void {
  parseRequest(request, checkKeys);
}

/** The request as the record a run would hold, or INVALID_ARGUMENT naming the field. */
function parseRequest(
  request: FindCandidatesRequest,
  keys: NameKeys,
): { record: InsuranceRecord; limit: number; purpose: Purpose } {
  const invalid = (field: string, message: string) =>
    reconciliationError(ReconciliationErrorCode.InvalidField, message, field);
  const findingId = (request.findingId ?? '').trim();
  const socialInsuranceCode = (request.socialInsuranceCode ?? '').trim();
  if (findingId === '' && socialInsuranceCode === '') {
    throw invalid(
      'finding_id',
      'finding_id or social_insurance_code is required: say which finding or record the search is for',
    );
  }
  if (findingId !== '' && !/^[0-9]{1,18}$/.test(findingId))
    throw invalid('finding_id', `finding_id ${previewInput(findingId)} is not a finding ID`);
  if (socialInsuranceCode !== '' && !/^[0-9]{10}$/.test(socialInsuranceCode))
    throw invalid(
      'social_insurance_code',
      `social_insurance_code ${previewInput(socialInsuranceCode)} is not a 10-digit social insurance code`,
    );
  const purpose: Purpose = findingId !== '' ? { findingId } : { socialInsuranceCode };
  const fullName = tidyName(request.fullName ?? '');
  if (!/\p{L}/u.test(fullName) || keys.of(fullName) === '')
    throw invalid(
      'full_name',
      'full_name is required: the name as the record holds it, e.g. "Nguyễn Văn An"',
    );
  if (fullName.length > 200) throw invalid('full_name', 'full_name is longer than 200 characters');
  const date = parsePartialDate(request.dateOfBirth ?? '');
  if (!date.ok)
    throw invalid(
      'date_of_birth',
      `date_of_birth ${previewInput(request.dateOfBirth ?? '')}: ${date.error.message}`,
    );
  const gender = genderFromGateway(request.gender);
  if (!gender)
    throw invalid('gender', 'gender must be GENDER_MALE or GENDER_FEMALE: every insurance record has one');
  const provinceCode = request.provinceCode ?? '';
  if (provinceCode !== '' && !isProvinceCode(provinceCode))
    throw invalid(
      'province_code',
      `province_code ${previewInput(provinceCode)} is not one of the 63 province codes`,
    );
  const limit = request.limit || DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw invalid('limit', `limit must be between 1 and ${MAX_LIMIT} (0 means ${DEFAULT_LIMIT})`);
  return {
    record: {
      socialInsuranceCode: RECORD,
      citizenId: null,
      legacyId: null,
      fullName,
      dateOfBirth: formatPartialDate(date.value),
      gender,
      provinceCode,
      deceasedOn: null,
    },
    limit,
    purpose,
  };
}
