import { Inject, Injectable } from '@nestjs/common';
import type {
  CorrectRegistrationRequest,
  CorrectRegistrationResponse,
  RevokeRegistrationRequest,
  RevokeRegistrationResponse,
} from '@vss/contracts';
import {
  birthJurisdiction,
  deathJurisdiction,
  type Jurisdiction,
  type OfficeArea,
  parseCitizenId,
  type Place,
} from '@vss/domain';
import type {
  AmendmentKind,
  CivilEventPayload,
  OriginalRef,
  RegistrationRef,
} from '@vss/domain/linked-procedures';
import { AuditAction, AuditTrail } from '@vss/audit';
import { RegistryClient } from '@vss/registry-client';
import { APP_CONFIG, Clock, type GatewayConfig } from '@vss/platform';
import type { Caller } from '@vss/security';
import { AmendmentsRepository, type FactsInForce, type OriginalRegistration } from '../amendments.repository';
import { CivilEventErrorCode, civilEventError, invalidField } from '../civil-events.errors';
import { knownResidence } from '../known-residence';
import { wireState } from '../procedure.codecs';
import {
  checkBirthCorrection,
  type OriginalKey,
  validateCorrection,
  validateRevocation,
} from './amendments.validation';
import { CivilEventsService, fingerprintOf } from './civil-events.service';

type AmendResponse = RevokeRegistrationResponse & CorrectRegistrationResponse;

const JURISDICTION_RULE: Record<Jurisdiction['basis'], string> = {
  LAST_RESIDENCE:
    "the deceased's last permanent residence, as the population registry knows it, is not in its area (art. 32)",
  PLACE_OF_DEATH:
    'the population registry knows no last residence and the place of death is not in its area (art. 32)',
  PARENT_RESIDENCE:
    "neither parent's permanent residence, as the population registry knows it, is in its area (art. 13)",
  CHILD_RESIDENCE: "no parent's residence is known and the child's residence is not in its area (art. 13)",
  NO_KNOWN_PLACE: 'no residence or place that decides the jurisdiction is known (art. 32)',
};

/**
 * Revocations and corrections of registrations. Only the office that registered the original,
 * or the office of jurisdiction over the person (Law on Civil Status arts. 13 and 32, as the
 * population registry places them now), may file one; it is accepted like a registration —
 * durably, with its procedure's first job and its audit entry, idempotent on its own event ID —
 * and its procedure compensates what the original's did.
 */
@Injectable()
export class AmendmentsService {
  constructor(
    private readonly repository: AmendmentsRepository,
    private readonly events: CivilEventsService,
    private readonly registry: RegistryClient,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async revoke(caller: Caller, request: RevokeRegistrationRequest): Promise<AmendResponse> {
    const today = this.clock.today();
    const valid = validateRevocation(request, today);
    const header = this.events.filedBy(caller, valid.header, today);
    return this.amend(caller, header, valid.original, { reason: valid.reason }, (_original, facts, base) => {
      if ('death' in facts) return { ...base, kind: 'DEATH_REVOCATION', death: facts.death };
      return { ...base, kind: 'BIRTH_REVOCATION', birth: facts.birth };
    });
  }

  async correct(caller: Caller, request: CorrectRegistrationRequest): Promise<AmendResponse> {
    const today = this.clock.today();
    const valid = validateCorrection(request, today);
    const header = this.events.filedBy(caller, valid.header, today);
    const { correction } = valid;
    return this.amend(
      caller,
      header,
      valid.original,
      { reason: valid.reason, correction },
      (original, facts, base) => {
        if ('death' in facts) {
          if (!('death' in correction)) {
            throw invalidField(
              'birth',
              `the registration ${original.eventId} is a death: give death.date_of_death`,
            );
          }
          const { dateOfDeath } = correction.death;
          if (dateOfDeath === facts.death.dateOfDeath) {
            throw invalidField(
              'death.date_of_death',
              `${dateOfDeath} is the date of death already registered`,
            );
          }
          const id = parseCitizenId(facts.death.deceasedCitizenId, { today });
          if (id.ok && Number(dateOfDeath.slice(0, 4)) < id.value.birthYear) {
            throw invalidField(
              'death.date_of_death',
              `${dateOfDeath} is before birth year ${id.value.birthYear} encoded in the citizen ID`,
            );
          }
          return { ...base, kind: 'DEATH_CORRECTION', death: facts.death, corrected: { dateOfDeath } };
        }
        if (!('birth' in correction)) {
          throw invalidField(
            'death',
            `the registration ${original.eventId} is a birth: give the birth's corrected fields`,
          );
        }
        checkBirthCorrection(facts.birth, correction.birth, today);
        return { ...base, kind: 'BIRTH_CORRECTION', birth: facts.birth, corrected: correction.birth };
      },
    );
  }

  private async amend(
    caller: Caller,
    header: RegistrationRef,
    key: OriginalKey,
    content: { reason: string; correction?: unknown },
    build: (
      original: OriginalRegistration,
      facts: FactsInForce,
      base: { header: RegistrationRef; office: OfficeArea; original: OriginalRef; reason: string },
    ) => CivilEventPayload,
  ): Promise<AmendResponse> {
    const office = await this.events.filingOffice(header);
    const original = await this.repository.original(key);
    if (!original) {
      throw civilEventError(
        CivilEventErrorCode.OriginalNotFound,
        `original: no registration with event ID ${key.eventId} of office ${key.officeCode}; check both`,
        'original',
      );
    }
    if (!('birth' in original.payload) && !('death' in original.payload)) {
      throw civilEventError(
        CivilEventErrorCode.OriginalNotAmendable,
        'original: not a registration',
        'original',
      );
    }
    await this.requireAuthority(header, office, original);
    const registration = 'death' in original.payload ? 'DEATH' : 'BIRTH';
    const kind: AmendmentKind = `${registration}_${content.correction ? 'CORRECTION' : 'REVOCATION'}`;
    const subjectCitizenId =
      'death' in original.payload
        ? original.payload.death.deceasedCitizenId
        : original.payload.birth.childCitizenId;
    const outcome = await this.repository.accept(
      {
        kind,
        original: key,
        filing: header,
        subjectCitizenId,
        // The filing as received, not the facts it found: the same filing again is a repeat.
        fingerprint: fingerprintOf({ kind, header, original: key, ...content }),
        acceptedOn: this.clock.today(),
        build: (found, facts) =>
          build(found, facts, {
            header,
            office,
            original: {
              officeCode: found.officeCode,
              eventId: found.eventId,
              procedureId: found.procedureId,
            },
            reason: content.reason,
          }),
      },
      this.config.JOB_EXPIRE_SECONDS,
      (client, accepted, resolvedOriginal) =>
        this.audit.recordWithin(client, {
          caller,
          action: content.correction ? AuditAction.RegistrationCorrected : AuditAction.RegistrationRevoked,
          subjectCitizenId,
          officeCode: header.officeCode,
          purpose: 'linked-procedure',
          outcome: accepted.status.toUpperCase(),
          detail: {
            eventId: header.eventId,
            procedureId: accepted.procedureId,
            originalProcedureId: original.procedureId,
            ...(resolvedOriginal ? { originalClosed: true } : {}),
          },
        }),
    );
    switch (outcome.status) {
      case 'refused':
        throw civilEventError(
          CivilEventErrorCode.OriginalNotAmendable,
          `original: the registration ${key.eventId} of office ${key.officeCode} ${outcome.message}`,
          'original',
        );
      case 'conflict':
        throw civilEventError(
          CivilEventErrorCode.EventIdReused,
          `event ${header.eventId} of office ${header.officeCode} was accepted on ${outcome.receivedAt} ` +
            `with different content (procedure ${outcome.procedureId}); a new filing needs a new event_id`,
          'header.event_id',
        );
      case 'duplicate':
        return { procedureId: outcome.procedureId, state: wireState(outcome.state), duplicate: true };
      default:
        return { procedureId: outcome.procedureId, state: wireState('ACCEPTED'), duplicate: false };
    }
  }

  /**
   * The office that registered the original may amend it; another office only if the person is
   * in its area now, by the rule that decides who registers such an event. Decided before
   * anything is written: an office without authority is refused, not held.
   */
  private async requireAuthority(
    header: RegistrationRef,
    office: OfficeArea,
    original: OriginalRegistration,
  ): Promise<void> {
    if (header.officeCode === original.officeCode) return;
    let jurisdiction: Jurisdiction;
    try {
      jurisdiction = await this.jurisdictionOf(office, original);
    } catch {
      throw civilEventError(
        CivilEventErrorCode.RegistryUnavailable,
        `the population registry did not answer in time, and office ${header.officeCode} did not register ` +
          `${original.eventId}: its jurisdiction cannot be checked now; try again later`,
        'header.office_code',
      );
    }
    if (!jurisdiction.within) {
      throw civilEventError(
        CivilEventErrorCode.NoAuthority,
        `office ${header.officeCode} did not register ${original.eventId} and is not the office of jurisdiction: ` +
          `${JURISDICTION_RULE[jurisdiction.basis]}; the office that registered it, or the office of the ` +
          "person's residence, files the revocation or correction",
        'header.office_code',
      );
    }
  }

  private async jurisdictionOf(office: OfficeArea, original: OriginalRegistration): Promise<Jurisdiction> {
    const options = { deadlineMs: this.config.REGISTRY_LOOKUP_DEADLINE_MS, attempts: 2 };
    const payload = original.payload;
    if ('death' in payload) {
      const person = await this.registry.getCitizen(payload.death.deceasedCitizenId, options);
      const lastResidence = person ? knownResidence(person) : undefined;
      const placeOfDeath = payload.death.placeOfDeathProvinceCode
        ? { provinceCode: payload.death.placeOfDeathProvinceCode }
        : undefined;
      return deathJurisdiction(office, { lastResidence, placeOfDeath });
    }
    const birth = payload.birth;
    const parents = [birth.fatherCitizenId, birth.motherCitizenId].filter((id): id is string => !!id);
    const found = await this.registry.batchGetCitizens([...parents, birth.childCitizenId]);
    const placeOf = (i: number) => {
      const p = found[i];
      return p?.found && p.citizen ? knownResidence(p.citizen) : undefined;
    };
    const parentResidences = parents.map((_, i) => placeOf(i)).filter((place): place is Place => !!place);
    // The child's own residence, once registered, is where the family lives now.
    return birthJurisdiction(office, {
      parentResidences,
      childResidence: placeOf(parents.length) ?? { provinceCode: birth.residenceProvinceCode },
    });
  }
}
