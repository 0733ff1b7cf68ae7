import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type {
  SubmitBirthRegistrationRequest,
  SubmitBirthRegistrationResponse,
  SubmitDeathRegistrationRequest,
  SubmitDeathRegistrationResponse,
} from '@vss/contracts';
import { type IsoDate, registrationDateDrift } from '@vss/domain';
import type { CivilEventPayload, RegistrationRef } from '@vss/domain/linked-procedures';
import { type CivilRegistryOffice, OfficesRepository } from '@vss/authority';
import { RegistryClient } from '@vss/registry-client';
import { Clock, type GatewayConfig } from '@vss/platform';
import { AuditAction, AuditTrail } from '@vss/audit';
import { FacilitiesRepository } from '@vss/insurance-records';
import { type Caller } from '@vss/security';
import { APP_CONFIG } from '@vss/platform';
import { CivilEventErrorCode, civilEventError } from '../civil-events.errors';
import { ProceduresRepository } from '../procedures.repository';
import { invalidField } from '../civil-events.errors';
import { validateBirth, validateDeath, validateHeader } from './civil-events.validation';
import { wireState } from '../procedure.codecs';

type SubmitResponse = SubmitBirthRegistrationResponse & SubmitDeathRegistrationResponse;

/**
 * Accepts birth and death registrations from civil registry offices. The answer comes only
 * after the event, its procedure and the first step's job are committed and the audit entry
 * is durable: an acknowledged event survives a crash of any process.
 */
@Injectable()
export class CivilEventsService {
  constructor(
    private readonly repository: ProceduresRepository,
    private readonly facilities: FacilitiesRepository,
    private readonly offices: OfficesRepository,
    private readonly registry: RegistryClient,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async submitBirth(caller: Caller, request: SubmitBirthRegistrationRequest): Promise<SubmitResponse> {
    const today = this.clock.today();
    const header = this.headerFor(caller, request.header, today);
    const birth = validateBirth(request.birth, header, today);
    const office = await this.filingOffice(header);
    if (birth.primaryCareFacilityCode && !(await this.facilities.exists(birth.primaryCareFacilityCode))) {
      throw civilEventError(
        CivilEventErrorCode.UnknownFacility,
        `birth.primary_care_facility_code: ${birth.primaryCareFacilityCode} is not a known facility; leave it empty to default by residence`,
        'birth.primary_care_facility_code',
      );
    }
    return this.accept(caller, { kind: 'BIRTH', header, office, birth }, birth.childCitizenId);
  }

  async submitDeath(caller: Caller, request: SubmitDeathRegistrationRequest): Promise<SubmitResponse> {
    const today = this.clock.today();
    const header = this.headerFor(caller, request.header, today);
    const death = validateDeath(request.death, header, today);
    const office = await this.filingOffice(header);
    await this.requireAliveThen(death.deceasedCitizenId, death.dateOfDeath);
    return this.accept(caller, { kind: 'DEATH', header, office, death }, death.deceasedCitizenId);
  }

  /**
   * The filing office, registered and active; its area is kept with the event (the worker judges
   * jurisdiction by it, as it was when the event was received).
   */
  async filingOffice(header: RegistrationRef) {
    const office: CivilRegistryOffice | undefined = await this.offices.find(header.officeCode);
    if (!office?.active) {
      throw civilEventError(
        CivilEventErrorCode.UnknownOffice,
        `header.office_code: ${header.officeCode} is not a registered${office ? ', active' : ''} civil registry office`,
        'header.office_code',
      );
    }
    return {
      level: office.level,
      provinceCode: office.provinceCode,
      ...(office.districtCode ? { districtCode: office.districtCode } : {}),
      ...(office.communeCode ? { communeCode: office.communeCode } : {}),
    };
  }

  /**
   * A date of death before the registry's date of birth is refused at once when the registry
   * answers within the lookup deadline; when it does not, the event is accepted and the first
   * step checks it again. The registry's date is not told to the office.
   */
  private async requireAliveThen(citizenId: string, dateOfDeath: string): Promise<void> {
    const citizen = await this.registry
      .getCitizen(citizenId, { deadlineMs: this.config.REGISTRY_LOOKUP_DEADLINE_MS, attempts: 1 })
      .catch(() => undefined);
    if (citizen?.dateOfBirth && citizen.dateOfBirth > dateOfDeath) {
      throw invalidField(
        'death.date_of_death',
        `${dateOfDeath} is before the deceased's date of birth in the population registry; check the date or the citizen ID`,
      );
    }
  }

  /** A civil registry system files for its own office only, on the day it files. */
  headerFor(caller: Caller, header: SubmitBirthRegistrationRequest['header'], today: IsoDate) {
    return this.filedBy(caller, validateHeader(header, today), today);
  }

  /** The checks of a filing's header that need the caller and the day. */
  filedBy(caller: Caller, ref: RegistrationRef, today: IsoDate): RegistrationRef {
    // The office's date does not decide lateness (the day of receipt does); one far from the
    // day of receipt is a mistake or an attempt to backdate, and is refused.
    const tolerance = this.config.REGISTRATION_DATE_TOLERANCE_DAYS;
    if (registrationDateDrift(ref.registrationDate, today) > tolerance) {
      throw invalidField(
        'header.registration_date',
        `${ref.registrationDate} is more than ${tolerance} days from today (${today}), the day the gateway receives ` +
          "the filing: give the date it is registered; a late registration is filed as such, with today's date",
      );
    }
    if (caller.role === 'civil-registry' && caller.officeCode !== ref.officeCode) {
      throw civilEventError(
        CivilEventErrorCode.WrongOffice,
        `this key files for office ${caller.officeCode ?? '(none)'}, not for header.office_code ${ref.officeCode}`,
        'header.office_code',
      );
    }
    return ref;
  }

  private async accept(
    caller: Caller,
    payload: CivilEventPayload,
    subjectCitizenId: string,
  ): Promise<SubmitResponse> {
    const { header } = payload;
    // The entry commits with the event: an accepted event always has its record, and a
    // record never names an event that was not accepted.
    const outcome = await this.repository.accept(
      { payload, subjectCitizenId, fingerprint: fingerprintOf(payload), acceptedOn: this.clock.today() },
      this.config.JOB_EXPIRE_SECONDS,
      (client, accepted) =>
        this.audit.recordWithin(client, {
          caller,
          action: payload.kind === 'BIRTH' ? AuditAction.BirthSubmitted : AuditAction.DeathSubmitted,
          subjectCitizenId,
          officeCode: header.officeCode,
          purpose: 'linked-procedure',
          outcome: accepted.status.toUpperCase(),
          detail: { eventId: header.eventId, procedureId: accepted.procedureId },
        }),
    );
    if (outcome.status === 'conflict') {
      throw civilEventError(
        CivilEventErrorCode.EventIdReused,
        `event ${header.eventId} of office ${header.officeCode} was accepted on ${outcome.receivedAt} ` +
          `with different content (procedure ${outcome.procedureId}); a new registration needs a new event_id`,
        'header.event_id',
      );
    }
    return outcome.status === 'accepted'
      ? { procedureId: outcome.procedureId, state: wireState('ACCEPTED'), duplicate: false }
      : { procedureId: outcome.procedureId, state: wireState(outcome.state), duplicate: true };
  }
}

/** The event's content, office and event ID included, reduced to a comparable digest. */
export function fingerprintOf(payload: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(payload)))
    .digest('hex');
}

// Keys sorted at every level, so the digest depends on the content, not on how it was built.
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}
