import { Injectable } from '@nestjs/common';
import { registry } from '@vss/contracts';
import { childCardValidity } from '@vss/domain';
import type { CivilEventPayload } from '@vss/domain/linked-procedures';
import { AuditAction, AuditTrail, WORKER_ACTOR } from '@vss/audit';
import { InsuranceRecordsRepository, RecordAmendmentsRepository } from '@vss/insurance-records';
import { registryGender, storedGender } from '@vss/platform';
import { done, review, skipped, type StepContext, type StepHandler, type StepResult } from '../step';
import { askRegistry, refusalCode } from './registry-failures';

type BirthRevocation = Extract<CivilEventPayload, { kind: 'BIRTH_REVOCATION' }>;
type BirthCorrection = Extract<CivilEventPayload, { kind: 'BIRTH_CORRECTION' }>;

function revocationOf(context: StepContext): BirthRevocation {
  if (context.payload.kind !== 'BIRTH_REVOCATION')
    throw new Error(`${context.procedureId} is not a revoked birth`);
  return context.payload;
}

function correctionOf(context: StepContext): BirthCorrection {
  if (context.payload.kind !== 'BIRTH_CORRECTION')
    throw new Error(`${context.procedureId} is not a corrected birth`);
  return context.payload;
}

const RESOLVE_HINT = 'VSS decides, then retries or resolves this procedure';

/**
 * A revoked birth cancels the card its registration issued and asks the registry to remove the
 * residence it added. A corrected birth changes the registry's record, then re-decides the card's
 * validity (72 months, or 30 September of that year) and reissues it with the corrected facts.
 * Only the card the original registration issued is touched: another card of the child's, issued
 * since through another channel, stops the procedure for a person.
 */
@Injectable()
export class BirthAmendmentSteps {
  constructor(
    private readonly insurance: InsuranceRecordsRepository,
    private readonly amendments: RecordAmendmentsRepository,
    private readonly audit: AuditTrail,
  ) {}

  handlers(): Record<
    'cancel_card' | 'remove_residence' | 'correct_birth_record' | 'reissue_card',
    StepHandler
  > {
    return {
      cancel_card: (c) => this.cancelCard(c),
      remove_residence: (c) => this.removeResidence(c),
      correct_birth_record: (c) => this.correctBirthRecord(c),
      reissue_card: (c) => this.reissueCard(c),
    };
  }

  /** The child's card the original issued, and any other card of the child's that is valid. */
  private async cardsOf(
    client: Parameters<RecordAmendmentsRepository['records']>[0],
    citizenId: string,
    issuedBy: string,
  ) {
    await this.insurance.lockPerson(client, { citizenId });
    const records = await this.amendments.records(client, citizenId);
    const cards = await this.amendments.cards(
      client,
      records.map((r) => r.code),
    );
    return {
      issued: cards.find((c) => c.issuedByProcedure === issuedBy),
      other: cards.find((c) => c.issuedByProcedure !== issuedBy && c.endedOn === null),
    };
  }

  private async cancelCard(context: StepContext): Promise<StepResult> {
    const { birth, header, original } = revocationOf(context);
    const id = birth.childCitizenId;
    return {
      local: async (client) => {
        const { issued } = await this.cardsOf(client, id, original.procedureId);
        if (!issued) return skipped('the registration issued no HI card: none to cancel');
        if (issued.endedOn !== null && issued.endReason === 'REGISTRATION_REVOKED') {
          return done(`HI card ${issued.code} was already cancelled`);
        }
        await this.amendments.cancelCard(client, issued.code, context.today);
        await this.audit.recordWithin(client, {
          caller: WORKER_ACTOR,
          action: AuditAction.ChildCardCancelled,
          subjectCitizenId: id,
          officeCode: header.officeCode,
          purpose: 'linked-procedure',
          outcome: 'CANCELLED',
          detail: {
            procedureId: context.procedureId,
            socialInsuranceCode: issued.code,
            endedOn: context.today,
          },
        });
        return done(`HI card ${issued.code} cancelled: not valid after ${context.today}`);
      },
    };
  }

  private async removeResidence(context: StepContext): Promise<StepResult> {
    const { birth, header } = revocationOf(context);
    const answer = await askRegistry(
      () =>
        context.registry.cancelPermanentResidence({
          requestId: context.requestId,
          citizenId: birth.childCitizenId,
          reason: `birth registration revoked by office ${header.officeCode} (no. ${header.registrationNumber})`,
        }),
      (refusal) =>
        refusal.code === 'REGISTRY_RESIDENCE_NOT_REGISTERED'
          ? skipped('no registered permanent residence to remove')
          : review(
              `the population registry refused to remove the residence (${refusalCode(refusal)}); ${RESOLVE_HINT}`,
            ),
    );
    if (!answer.ok) return answer.verdict;
    return done('the permanent residence the birth registered is removed');
  }

  private async correctBirthRecord(context: StepContext): Promise<StepResult> {
    const { birth, corrected, header } = correctionOf(context);
    const answer = await askRegistry(
      () =>
        context.registry.correctBirth({
          requestId: context.requestId,
          citizenId: birth.childCitizenId,
          fullName: corrected.childFullName ?? '',
          dateOfBirth: corrected.childDateOfBirth ?? '',
          gender: corrected.childGender
            ? registryGender(corrected.childGender)
            : registry.Gender.GENDER_UNSPECIFIED,
          reason: `birth registration corrected by office ${header.officeCode} (no. ${header.registrationNumber})`,
        }),
      (refusal) =>
        review(
          `the population registry refused to correct the birth (${refusalCode(refusal)}); ${RESOLVE_HINT}`,
        ),
    );
    if (!answer.ok) return answer.verdict;
    return done(`the birth is corrected in the population registry (${Object.keys(corrected).join(', ')})`);
  }

  private async reissueCard(context: StepContext): Promise<StepResult> {
    const { birth, corrected, header, original } = correctionOf(context);
    const id = birth.childCitizenId;
    const facts = { ...birth, ...corrected };
    const validity = childCardValidity(facts.childDateOfBirth);
    return {
      local: async (client) => {
        const { issued, other } = await this.cardsOf(client, id, original.procedureId);
        if (!issued) return skipped('the registration issued no HI card: none to reissue');
        if (other) {
          return review(
            `citizen ${id} holds another HI card issued since (social insurance code ${other.code}); ` +
              `reissuing card ${issued.code} would give the child two: ${RESOLVE_HINT}`,
          );
        }
        await this.amendments.reissueCard(client, issued.code, {
          fullName: facts.childFullName,
          dateOfBirth: facts.childDateOfBirth,
          gender: storedGender(facts.childGender),
          ...validity,
        });
        await this.audit.recordWithin(client, {
          caller: WORKER_ACTOR,
          action: AuditAction.ChildCardReissued,
          subjectCitizenId: id,
          officeCode: header.officeCode,
          purpose: 'linked-procedure',
          outcome: 'REISSUED',
          detail: {
            procedureId: context.procedureId,
            socialInsuranceCode: issued.code,
            corrected: Object.keys(corrected),
            validFrom: validity.validFrom,
            validTo: validity.validTo,
            previousValidTo: issued.validTo,
          },
        });
        return done(
          `HI card ${issued.code} reissued: valid ${validity.validFrom} to ${validity.validTo}` +
            (issued.validTo !== validity.validTo ? ` (was to ${issued.validTo})` : ''),
          { issuedSocialInsuranceCode: issued.code },
        );
      },
    };
  }
}
