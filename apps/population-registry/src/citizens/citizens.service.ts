import { Injectable } from '@nestjs/common';
import { registry } from '@vss/contracts';
import { Clock } from '@vss/platform';
import { addDays, isProvinceCode, parseIsoDate } from '@vss/domain';
import { toCitizen } from './citizen.mapper';
import { RegistryErrorCode, registryError } from './citizens.errors';
import { CitizensRepository } from './citizens.repository';
import { requireCitizenId, requireLegacyId } from './citizens.validation';

export const MAX_BATCH = 1000;
const DEFAULT_PAGE = 500;
const MAX_PAGE = 5000;
const DEFAULT_SEARCH_LIMIT = 200;
const MAX_SEARCH_LIMIT = 1000;

@Injectable()
export class CitizensService {
  constructor(
    private readonly citizens: CitizensRepository,
    private readonly clock: Clock,
  ) {}

  async get(citizenId: string): Promise<registry.Citizen> {
    const id = requireCitizenId(citizenId, 'citizen_id', this.clock.today());
    const row = await this.citizens.findById(id);
    if (!row) {
      throw registryError(
        RegistryErrorCode.CitizenNotFound,
        `no citizen with citizen_id ${id} in the registry`,
        'citizen_id',
      );
    }
    return toCitizen(row);
  }

  async batchGet(citizenIds: string[]): Promise<registry.BatchGetCitizensResult[]> {
    if (citizenIds.length === 0) {
      throw registryError(RegistryErrorCode.InvalidField, 'citizen_ids must not be empty', 'citizen_ids');
    }
    if (citizenIds.length > MAX_BATCH) {
      throw registryError(
        RegistryErrorCode.BatchTooLarge,
        `citizen_ids holds ${citizenIds.length} IDs; at most ${MAX_BATCH} a call`,
        'citizen_ids',
      );
    }
    const today = this.clock.today();
    const ids = citizenIds.map((id, i) => requireCitizenId(id, `citizen_ids[${i}]`, today));
    const found = await this.citizens.findMany([...new Set(ids)]);
    return ids.map((id) => {
      const row = found.get(id);
      return { citizenId: id, found: !!row, citizen: row ? toCitizen(row) : undefined };
    });
  }

  async resolveLegacyId(legacyId: string): Promise<registry.ResolveLegacyIdResponse> {
    const id = requireLegacyId(legacyId, 'legacy_id');
    const row = await this.citizens.findByLegacyId(id);
    if (!row) {
      throw registryError(
        RegistryErrorCode.LegacyIdNotFound,
        `no citizen holds legacy_id ${id}`,
        'legacy_id',
      );
    }
    return { citizenId: row.citizen_id, citizen: toCitizen(row) };
  }

  /** Pages of the export, read lazily so that a slow reader never makes us hold the table. */
  async *export(request: registry.ExportCitizensRequest): AsyncGenerator<registry.ExportCitizensResponse> {
    const range = this.exportRange(request);
    let after = range.after;
    for (;;) {
      const rows = await this.citizens.exportPage({ ...range, after });
      if (rows.length === 0) return;
      after = rows[rows.length - 1].citizen_id;
      yield { citizens: rows.map(toCitizen), cursor: after };
      if (rows.length < range.limit) return;
    }
  }

  /** SearchCitizens: the request checked field by field, then one query of the three rules. */
  async search(request: registry.SearchCitizensRequest): Promise<registry.SearchCitizensResponse> {
    const nameKey = (request.nameKey ?? '').trim();
    if (!nameKey || nameKey.length > 200 || /\p{Cc}|\p{Cf}/u.test(nameKey) || / {2}/.test(nameKey)) {
      throw registryError(
        RegistryErrorCode.InvalidField,
        'name_key must be a name match key: 1 to 200 characters, words separated by one space',
        'name_key',
      );
    }
    const date = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(request.birthDate ?? '');
    const [year, month, day] = date
      ? [Number(date[1]), Number(date[2] ?? 0), Number(date[3] ?? 0)]
      : [0, 0, 0];
    const real =
      date !== null &&
      year >= 1 &&
      (date[3] ? parseIsoDate(request.birthDate).ok : date[2] ? month >= 1 && month <= 12 : true);
    if (!real) {
      throw registryError(
        RegistryErrorCode.InvalidField,
        `birth_date ${JSON.stringify(request.birthDate ?? '')} must be YYYY, YYYY-MM or YYYY-MM-DD`,
        'birth_date',
      );
    }
    if (request.provinceCode && !isProvinceCode(request.provinceCode)) {
      throw registryError(
        RegistryErrorCode.InvalidField,
        `province_code ${request.provinceCode} is not one of the 63 province codes`,
        'province_code',
      );
    }
    const limit = request.limitPerRule || DEFAULT_SEARCH_LIMIT;
    if (limit < 1 || limit > MAX_SEARCH_LIMIT) {
      throw registryError(
        RegistryErrorCode.InvalidField,
        `limit_per_rule must be between 1 and ${MAX_SEARCH_LIMIT}`,
        'limit_per_rule',
      );
    }
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    const iso = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
    const nextMonth = month === 12 ? iso(year + 1, 1, 1) : iso(year, month + 1, 1);
    const words = nameKey.split(' ');
    const rows = await this.citizens.search({
      nameKey,
      surnameKey: words[0],
      givenKey: words[words.length - 1],
      provinceCode: request.provinceCode ?? '',
      yearRange: { from: iso(year, 1, 1), to: iso(year + 1, 1, 1) },
      dateRange:
        day > 0
          ? { from: request.birthDate, to: addDays(request.birthDate, 1) }
          : month > 0
            ? { from: iso(year, month, 1), to: nextMonth }
            : null,
      limitPerRule: limit,
    });
    return { citizens: rows.map(toCitizen) };
  }

  private exportRange(request: registry.ExportCitizensRequest) {
    const pageSize = request.pageSize || DEFAULT_PAGE;
    if (pageSize < 0 || pageSize > MAX_PAGE) {
      throw registryError(
        RegistryErrorCode.InvalidField,
        `page_size must be between 1 and ${MAX_PAGE}`,
        'page_size',
      );
    }
    for (const [field, value] of [
      ['after_citizen_id', request.afterCitizenId],
      ['before_citizen_id', request.beforeCitizenId],
    ] as const) {
      if (value && !/^[0-9]{1,12}$/.test(value)) {
        throw registryError(RegistryErrorCode.InvalidField, `${field} must be up to 12 digits`, field);
      }
    }
    let after = request.afterCitizenId;
    let before = request.beforeCitizenId;
    if (request.provinceCode) {
      if (!isProvinceCode(request.provinceCode)) {
        throw registryError(
          RegistryErrorCode.InvalidField,
          `province_code ${request.provinceCode} is not one of the 63 province codes`,
          'province_code',
        );
      }
      // The province of birth registration is the ID's prefix: the filter is a key range.
      const start = request.provinceCode;
      const end = String(Number(start) + 1).padStart(3, '0');
      if (after < start) after = start;
      if (!before || before > end) before = end;
    }
    let updatedSince = '';
    if (request.updatedSince) {
      // RFC 3339 only (or a date): JavaScript reads "1" as a date, PostgreSQL does not.
      const rfc3339 = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))?$/;
      const parsed = Date.parse(request.updatedSince);
      if (!rfc3339.test(request.updatedSince) || Number.isNaN(parsed)) {
        throw registryError(
          RegistryErrorCode.InvalidField,
          'updated_since must be an RFC 3339 timestamp, e.g. 2024-07-01T00:00:00Z',
          'updated_since',
        );
      }
      updatedSince = new Date(parsed).toISOString();
    }
    return { after, before, updatedSince, limit: pageSize };
  }
}
