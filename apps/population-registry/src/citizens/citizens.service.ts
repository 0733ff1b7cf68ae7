import { Injectable } from '@nestjs/common';
import { registry } from '@vss/contracts';
import { Clock } from '@vss/platform';
import { isProvinceCode } from '@vss/domain';
import { toCitizen } from './citizen.mapper';
import { RegistryErrorCode, registryError } from './citizens.errors';
import { CitizensRepository } from './citizens.repository';
import { requireCitizenId, requireLegacyId } from './citizens.validation';

export const MAX_BATCH = 1000;
const DEFAULT_PAGE = 500;
const MAX_PAGE = 5000;

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
