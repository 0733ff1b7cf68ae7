import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { registry } from '@vss/contracts';
import {
  birthJurisdiction,
  CHILD_OBJECT_GROUP,
  childBenefitLevelPercent,
  childCardValidity,
  compareNames,
  type Place,
  registrationTimeliness,
} from '@vss/domain';
import { type BirthRegistrationFacts, type BirthStep } from '@vss/domain/linked-procedures';
import { AuditAction, AuditTrail, WORKER_ACTOR } from '@vss/audit';
import { FacilitiesRepository, InsuranceRecordsRepository } from '@vss/insurance-records';
import { genderFromRegistry, genderWord, registryGender } from '@vss/platform';
import { ProcedureReadsRepository } from '../procedure-reads.repository';
import { lateHold, outsideHold } from './holds';
import { knownResidence } from '../known-residence';
import { askRegistry, refusalCode } from './registry-failures';
import {
  done,
  earlierRegistration,
  review,
  type StepContext,
  type StepHandler,
  type StepResult,
  type Verdict,
} from '../step';

const RETRY_HINT = 'correct the registration or the registry record, then retry the procedure';

function birthOf(context: StepContext): BirthRegistrationFacts {
  if (context.payload.kind !== 'BIRTH') throw new Error(`procedure ${context.procedureId} is not a birth`);
  return context.payload.birth;
}

/**
 * Birth registration → the child in the population registry → permanent residence → the
 * child's HI card. The civil registry's birth registration is what creates the citizen in the
 * population database, so the first step registers the child there (idempotently), and the
 * second checks what the registry then holds against the registration.
 */
@Injectable()
export class BirthSteps {
  constructor(
    private readonly insurance: InsuranceRecordsRepository,
    private readonly facilities: FacilitiesRepository,
    private readonly procedures: ProcedureReadsRepository,
    private readonly audit: AuditTrail,
  ) {}

  handlers(): Record<BirthStep, StepHandler> {
    return {
      register_birth: (c) => this.registerBirth(c),
      verify_child: (c) => this.verifyChild(c),
      register_residence: (c) => this.registerResidence(c),
      issue_card: (c) => this.issueCard(c),
    };
  }

  /**
   * Before the registry is changed: the office must serve a parent's residence (art. 13) and the
   * birth must be received within the period of art. 15, or an approver confirms it.
   */
  private async beforeRegistering(context: StepContext): Promise<Verdict | undefined> {
    const birth = birthOf(context);
    const parentIds = [birth.fatherCitizenId, birth.motherCitizenId].filter((id): id is string => !!id);
    const parents = parentIds.length > 0 ? await context.registry.batchGetCitizens(parentIds) : [];
    const parentResidences = parents
      .map((p) => (p.found && p.citizen ? knownResidence(p.citizen) : undefined))
      .filter((place): place is Place => place !== undefined);
    const office = context.payload.office;
    const jurisdiction = office
      ? birthJurisdiction(office, {
          parentResidences,
          childResidence: { provinceCode: birth.residenceProvinceCode },
        })
      : ({ within: false, basis: 'NO_KNOWN_PLACE' } as const);
    const outside = jurisdiction.within ? undefined : outsideHold(context, 'birth', jurisdiction.basis);
    if (outside) return outside;
    const timely = registrationTimeliness('BIRTH', birth.childDateOfBirth, context.receivedOn);
    return timely.late ? lateHold(context, 'birth', timely) : undefined;
  }

  private async registerBirth(context: StepContext): Promise<StepResult> {
    const birth = birthOf(context);
    const held = await this.beforeRegistering(context);
    if (held) return held;
    const answer = await askRegistry(
      () =>
        context.registry.registerBirth({
          requestId: context.requestId,
          citizenId: birth.childCitizenId,
          fullName: birth.childFullName,
          dateOfBirth: birth.childDateOfBirth,
          gender: registryGender(birth.childGender),
        }),
      (refusal): Verdict | 'EXISTS' =>
        refusal.code === 'REGISTRY_CITIZEN_EXISTS'
          ? 'EXISTS'
          : review(
              `the population registry refused to register the birth (${refusalCode(refusal)}); ${RETRY_HINT}`,
            ),
    );
    if (!answer.ok && answer.verdict !== 'EXISTS') return answer.verdict;
    if (!answer.ok) {
      // The ID already belongs to someone the registry knows, and not through this procedure
      // (its own request is idempotent): never "done", and no later step may touch that
      // person's residence or records.
      return {
        local: async (client) => {
          const duplicate = await this.duplicateOf(client, context);
          if (duplicate) return duplicate;
          return review(
            `citizen ID ${birth.childCitizenId} already belongs to a person in the population registry, and a birth ` +
              `registration creates a new citizen: check the child's citizen ID; if this child was registered ` +
              `through another channel, an officer confirms it and resolves the procedure`,
          );
        },
      };
    }
    return done(`child registered in the population registry as citizen ${birth.childCitizenId}`);
  }

  private async verifyChild(context: StepContext): Promise<StepResult> {
    const birth = birthOf(context);
    const child = await context.registry.getCitizen(birth.childCitizenId);
    if (!child) {
      return review(
        `the population registry does not know citizen ${birth.childCitizenId} although the birth was registered; ${RETRY_HINT}`,
      );
    }
    if (child.vitalStatus === registry.VitalStatus.VITAL_STATUS_DECEASED) {
      return review(
        `the population registry records citizen ${birth.childCitizenId} as deceased; no HI card is issued`,
      );
    }
    const differences: string[] = [];
    if (compareNames(child.fullName, birth.childFullName) === 'DIFFERENT') {
      differences.push(`full name (filed as "${birth.childFullName}")`);
    }
    if (child.dateOfBirth !== birth.childDateOfBirth) {
      differences.push(`date of birth (filed as ${birth.childDateOfBirth})`);
    }
    const registered = genderFromRegistry(child.gender);
    if (registered !== birth.childGender) {
      differences.push(`gender (filed as ${genderWord(birth.childGender)})`);
    }
    if (differences.length > 0) {
      return review(
        // The registry's values stay out: the reason is shown to the filing office.
        `the registration and the population registry disagree about citizen ${birth.childCitizenId} on ${differences.join(', ')}; ${RETRY_HINT}`,
      );
    }
    const parents = [
      ['father', birth.fatherCitizenId],
      ['mother', birth.motherCitizenId],
    ].filter((p): p is [string, string] => p[1] !== undefined);
    if (parents.length > 0) {
      const known = await context.registry.batchGetCitizens(parents.map((p) => p[1]));
      const unknown = parents.filter((_, i) => !known[i]?.found);
      if (unknown.length > 0) {
        return review(
          `the population registry does not know the ${unknown.map(([who, id]) => `${who}'s citizen ID ${id}`).join(' or the ')}; ${RETRY_HINT}`,
        );
      }
    }
    return {
      local: async (client) => {
        const duplicate = await this.duplicateOf(client, context);
        if (duplicate) return duplicate;
        const card = await this.insurance.cardOf(client, birth.childCitizenId);
        if (card) return review(alreadyCarded(birth.childCitizenId, card));
        return done(`citizen ${birth.childCitizenId} verified against the population registry`);
      },
    };
  }

  /** The review verdict when an earlier procedure already registered this child's birth. */
  private async duplicateOf(client: PoolClient, context: StepContext): Promise<Verdict | undefined> {
    const birth = birthOf(context);
    const earlier = await this.procedures.earlierProcedure(
      client,
      'BIRTH',
      birth.childCitizenId,
      context.seq,
    );
    if (!earlier) return undefined;
    return review(
      `the birth of citizen ${birth.childCitizenId} was already registered ` +
        `${earlierRegistration(earlier, context.payload.header)}; resolve this duplicate`,
    );
  }

  private async registerResidence(context: StepContext): Promise<StepResult> {
    const birth = birthOf(context);
    const answer = await askRegistry(
      () =>
        context.registry.registerPermanentResidence({
          requestId: context.requestId,
          citizenId: birth.childCitizenId,
          address: birth.residenceAddress,
          provinceCode: birth.residenceProvinceCode,
        }),
      (refusal) =>
        review(
          `the population registry refused to register the permanent residence (${refusalCode(refusal)}); ${RETRY_HINT}`,
        ),
    );
    if (!answer.ok) return answer.verdict;
    return done(
      `permanent residence registered: ${birth.residenceAddress} (province ${birth.residenceProvinceCode})`,
    );
  }

  private async issueCard(context: StepContext): Promise<StepResult> {
    const birth = birthOf(context);
    const validity = childCardValidity(birth.childDateOfBirth);
    return {
      local: async (client) => {
        // Two procedures for one child must not both find "no card yet".
        await this.insurance.lockPerson(client, { citizenId: birth.childCitizenId });
        const card = await this.insurance.cardOf(client, birth.childCitizenId);
        if (card?.procedureId === context.procedureId) {
          return done(`HI card ${card.code} issued`, { issuedSocialInsuranceCode: card.code });
        }
        if (card) return review(alreadyCarded(birth.childCitizenId, card));
        let facilityCode = birth.primaryCareFacilityCode;
        if (facilityCode && !(await this.facilities.exists(facilityCode, client))) {
          return review(
            `the chosen primary-care facility ${facilityCode} is no longer known; choose another`,
          );
        }
        facilityCode ??= await this.facilities.defaultFor(
          client,
          birth.residenceProvinceCode,
          Number(birth.childCitizenId.slice(-6)),
        );
        if (!facilityCode) {
          return review(
            `no primary-care facility is known in province ${birth.residenceProvinceCode}; add one, or have the office choose one, then retry`,
          );
        }
        const code = await this.insurance.issueChildCard(client, {
          citizenId: birth.childCitizenId,
          fullName: birth.childFullName,
          dateOfBirth: birth.childDateOfBirth,
          gender: birth.childGender,
          provinceCode: birth.residenceProvinceCode,
          address: birth.residenceAddress,
          objectGroup: CHILD_OBJECT_GROUP,
          benefitLevelPercent: childBenefitLevelPercent(),
          validFrom: validity.validFrom,
          validTo: validity.validTo,
          facilityCode,
          procedureId: context.procedureId,
        });
        await this.audit.recordWithin(client, {
          caller: WORKER_ACTOR,
          action: AuditAction.ChildCardIssued,
          subjectCitizenId: birth.childCitizenId,
          officeCode: context.payload.header.officeCode,
          purpose: 'linked-procedure',
          outcome: 'ISSUED',
          detail: {
            procedureId: context.procedureId,
            socialInsuranceCode: code,
            validTo: validity.validTo,
            facilityCode,
          },
        });
        return done(
          `HI card ${code} issued: object group ${CHILD_OBJECT_GROUP}, ${childBenefitLevelPercent()} %, ` +
            `valid ${validity.validFrom} to ${validity.validTo}, primary care at facility ${facilityCode}`,
          { issuedSocialInsuranceCode: code },
        );
      },
    };
  }
}

/** The child already has a card from elsewhere: said without its code or the procedure that issued it. */
function alreadyCarded(citizenId: string, _card: { code: string }) {
  return (
    `citizen ${citizenId} already has an HI card (issued through another registration or channel; VSS has the ` +
    'details); a second card is not issued: resolve this procedure'
  );
}
