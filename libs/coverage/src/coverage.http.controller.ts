import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { LookupCoverageRequest, LookupCoverageResponse } from '@vss/contracts';
import { Lookups } from '@vss/limits';
import { CheckedBy } from '@vss/platform';
import { callerOf, Roles } from '@vss/security';
import { CoverageErrorCode, coverageError } from './coverage.errors';
import { parseLookupRequest } from './coverage.request';
import { CoverageService } from './coverage.service';

type Json = Record<string, unknown>;

/**
 * Reads a field of a JSON body by its proto name or its JSON (lowerCamelCase) name, as the
 * proto3 JSON mapping accepts both.
 */
function field(body: Json, protoName: string): unknown {
  const jsonName = protoName.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  return body[jsonName] ?? body[protoName];
}

function asObject(value: unknown, what: string, fieldName?: string): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw coverageError(CoverageErrorCode.InvalidField, `${what} must be a JSON object`, fieldName);
  }
  return value as Json;
}

/** The JSON body of POST /v1/coverage:lookup as the gRPC request; the service checks every field. */
export function lookupRequestFromJson(body: unknown): Partial<LookupCoverageRequest> {
  const json = asObject(body, 'the request body') ?? {};
  const chip = asObject(field(json, 'chip'), 'chip', 'chip');
  return {
    citizenId: field(json, 'citizen_id') as string | undefined,
    qrPayload: field(json, 'qr_payload') as string | undefined,
    facilityCode: field(json, 'facility_code') as string,
    visitDate: field(json, 'visit_date') as string,
    chip: chip
      ? ({
          fullName: field(chip, 'full_name'),
          dateOfBirth: field(chip, 'date_of_birth'),
          gender: field(chip, 'gender'),
        } as LookupCoverageRequest['chip'])
      : undefined,
  };
}

/** GET /v1/coverage/:citizenId?facility_code=…&visit_date=… as the gRPC request. */
export function lookupRequestFromPath(citizenId: unknown, query: Json): Partial<LookupCoverageRequest> {
  return {
    citizenId: citizenId as string,
    facilityCode: (query.facility_code ?? query.facilityCode) as string,
    visitDate: (query.visit_date ?? query.visitDate) as string,
  };
}

type HttpRequest = { params: Json; query: Json; body: unknown };

/**
 * The coverage lookup as JSON over HTTP, for clinic software that cannot speak gRPC: the same
 * key (x-api-key header), the same checks, the same answer (proto3 JSON names) and the same
 * audit record. Errors are `{ error: { code, message, field } }` with the matching HTTP status.
 * POST keeps the citizen ID out of URLs (and so out of access logs); every answer is no-store.
 */
@Controller('v1')
export class CoverageHttpController {
  constructor(private readonly coverage: CoverageService) {}

  // An answer about a person must not linger in a proxy's or browser's cache.
  @Get('coverage/:citizenId')
  @Header('Cache-Control', 'no-store')
  @Roles('clinic')
  @CheckedBy((http: HttpRequest, today) =>
    parseLookupRequest(lookupRequestFromPath(http.params.citizenId, http.query), today),
  )
  @Lookups()
  lookupById(
    @Param('citizenId') citizenId: string,
    @Query() query: Json,
    @Req() request: object,
  ): Promise<LookupCoverageResponse> {
    return this.coverage.lookup(
      callerOf(request),
      lookupRequestFromPath(citizenId, query) as LookupCoverageRequest,
      'http',
    );
  }

  // `:` is literal here (Google API style custom method), hence the escape.
  @Post('coverage\\:lookup')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Roles('clinic')
  @CheckedBy((http: HttpRequest, today) => parseLookupRequest(lookupRequestFromJson(http.body), today))
  @Lookups()
  lookup(@Body() body: unknown, @Req() request: object): Promise<LookupCoverageResponse> {
    return this.coverage.lookup(
      callerOf(request),
      lookupRequestFromJson(body) as LookupCoverageRequest,
      'http',
    );
  }
}
