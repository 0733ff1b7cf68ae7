import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { registry } from '@vss/contracts';
import {
  assessFuneralBenefits,
  compareNames,
  compareParticipantToCitizen,
  deathJurisdiction,
  formatVnd,
  parsePartialDate,
  registrationTimeliness,
} from '@vss/domain';
import type { DeathRegistrationFacts, DeathStep } from '@vss/domain/linked-procedures';
import { AuditAction, AuditTrail, WORKER_ACTOR } from '@vss/audit';
import { DeathRecorder, FuneralPayoutsRepository, InsuranceRecordsRepository } from '@vss/insurance-records';
import { APP_CONFIG, genderFromRegistry, type WorkerConfig } from '@vss/platform';
import { ProcedureReadsRepository } from '../procedure-reads.repository';
import { askRegistry, refusalCode } from './registry-failures';
import { lateHold, outsideHold } from './holds';
import { knownResidence } from '../known-residence';
import {
  done,
  earlierRegistration,
  hold,
  review,
  skipped,
  type StepContext,
  type StepHandler,
  type StepResult,
} from '../step';

const RETRY_HINT = 'correct the registration or the record, then retry the procedure';

function deathOf(context: StepContext): DeathRegistrationFacts {
  if (context.payload.kind !== 'DEATH') throw new Error(`procedure ${context.procedureId} is not a death`);
  return context.payload.death;
}

/**
 * Death registration → the death in the population registry → permanent residence cancelled →
 * coverage and monthly benefits end, payments after the death flagged → funeral benefits
 * assessed from the dated rate table → the payout instruction to the claimant.
 */
@Injectable()
export class DeathSteps {
  constructor(
    private readonly insurance: InsuranceRecordsRepository,
    private readonly deaths: DeathRecorder,
    private readonly procedures: ProcedureReadsRepository,
    private readonly audit: AuditTrail,
    private readonly payouts: FuneralPayoutsRepository,
    @Inject(APP_CONFIG)
    private readonly config: Pick<
      WorkerConfig,
      'PAYOUT_APPROVAL_THRESHOLD_VND' | 'PAYOUT_DAILY_PER_OFFICE' | 'PAYOUT_REPEAT_MONTHS'
    >,
  ) {}

  handlers(): Record<DeathStep, StepHandler> {
    return {
      verify_deceased: (c) => this.verifyDeceased(c),
      record_death: (c) => this.recordDeath(c),
      cancel_residence: (c) => this.cancelResidence(c),
      end_coverage: (c) => this.endCoverage(c),
      assess_benefits: (c) => this.assessBenefits(c),
      create_payout: (c) => this.createPayout(c),
    };
  }

  private async verifyDeceased(context: StepContext): Promise<StepResult> {
    const death = deathOf(context);
    const id = death.deceasedCitizenId;
    const [person, claimant] = await Promise.all([
      context.registry.getCitizen(id),
      context.registry.getCitizen(death.claimant.citizenId),
    ]);
    return {
      local: async (client) => {
        // A second event is named as such before "already dead": the first event's procedure
        // may itself have recorded the death in the registry.
        const earlier = await this.procedures.earlierProcedure(client, 'DEATH', id, context.seq);
        if (earlier) {
          return review(
            `the death of citizen ${id} was already registered ${earlierRegistration(earlier, context.payload.header)}; ` +
              `this second event must not end coverage or pay again: resolve it`,
          );
        }
        if (!person) {
          return review(
            `the population registry does not know citizen ${id}; check the deceased's citizen ID`,
          );
        }
        if (person.vitalStatus === registry.VitalStatus.VITAL_STATUS_DECEASED) {
          return review(
            `the population registry already records citizen ${id} as deceased; ` +
              `check whether this death was registered before, then resolve or retry`,
          );
        }
        if (person.dateOfBirth > death.dateOfDeath) {
          return review(
            `the date of death ${death.dateOfDeath} is before the citizen's date of birth in the population registry; ${RETRY_HINT}`,
          );
        }
        // Before anything changes: a filing outside the office's area, or late, waits for an
        // approver (Law on Civil Status arts. 32, 33).
        const office = context.payload.office;
        const placeOfDeath = death.placeOfDeathProvinceCode
          ? { provinceCode: death.placeOfDeathProvinceCode }
          : undefined;
        const jurisdiction = office
          ? deathJurisdiction(office, { lastResidence: knownResidence(person), placeOfDeath })
          : ({ within: false, basis: 'NO_KNOWN_PLACE' } as const);
        const outside = jurisdiction.within ? undefined : outsideHold(context, 'death', jurisdiction.basis);
        if (outside) return outside;
        const timely = registrationTimeliness('DEATH', death.dateOfDeath, context.receivedOn);
        const late = timely.late ? lateHold(context, 'death', timely) : undefined;
        if (late) return late;
        if (!claimant) {
          return review(
            `the population registry does not know the claimant's citizen ID ${death.claimant.citizenId}; ${RETRY_HINT}`,
          );
        }
        if (claimant.vitalStatus === registry.VitalStatus.VITAL_STATUS_DECEASED) {
          return review(
            `the claimant ${death.claimant.citizenId} is recorded as deceased; name another claimant`,
          );
        }
        if (compareNames(claimant.fullName, death.claimant.fullName) === 'DIFFERENT') {
          return review(
            `the claimant's name "${death.claimant.fullName}" does not match the population registry's record ` +
              `of citizen ID ${death.claimant.citizenId}; ${RETRY_HINT}`,
          );
        }
        // The allowance is paid to the claimant, into an account of their own: the holder is
        // compared with the registry's name of the claimant, not with the name the office typed
        // (banks write holders in capitals without tones: the comparison ignores both).
        if (compareNames(death.claimant.accountHolder, claimant.fullName) === 'DIFFERENT') {
          return review(
            `the payout account's holder does not match the claimant's name: funeral benefits are paid into the ` +
              `claimant's own account; correct the account or the claimant, then retry`,
          );
        }
        const registryGender = genderFromRegistry(person.gender);
        if (!registryGender) {
          return review(`the population registry holds no gender for citizen ${id}; ${RETRY_HINT}`);
        }
        for (const record of await this.insurance.participants(client, id)) {
          const dateOfBirth = parsePartialDate(record.dateOfBirth);
          if (!dateOfBirth.ok) continue;
          const comparison = compareParticipantToCitizen(
            { fullName: record.fullName, dateOfBirth: dateOfBirth.value, gender: record.gender },
            { fullName: person.fullName, dateOfBirth: person.dateOfBirth, gender: registryGender },
          );
          if (comparison.outcome === 'FIELD_MISMATCH') {
            // Field names only: neither VSS's values nor the registry's, nor the record's
            // social insurance code, reach the filing office.
            const fields = comparison.differences.map((d) => d.field).join(', ');
            return review(
              `a VSS record linked to citizen ${id} disagrees with the population registry on ${fields}; ` +
                `VSS confirms it is the same person and corrects the record, then retries`,
            );
          }
        }
        return done(`citizen ${id} and the claimant verified against the population registry`);
      },
    };
  }

  private async recordDeath(context: StepContext): Promise<StepResult> {
    const death = deathOf(context);
    const answer = await askRegistry(
      () =>
        context.registry.recordDeath({
          requestId: context.requestId,
          citizenId: death.deceasedCitizenId,
          dateOfDeath: death.dateOfDeath,
        }),
      (refusal) =>
        review(
          refusal.code === 'REGISTRY_CITIZEN_DECEASED'
            ? 'the population registry already records a death of this citizen; check for a duplicate registration'
            : `the population registry refused to record the death (${refusalCode(refusal)}); ${RETRY_HINT}`,
        ),
    );
    if (!answer.ok) return answer.verdict;
    return done(`death on ${death.dateOfDeath} recorded in the population registry`);
  }

  private async cancelResidence(context: StepContext): Promise<StepResult> {
    const death = deathOf(context);
    const { header } = context.payload;
    const answer = await askRegistry(
      () =>
        context.registry.cancelPermanentResidence({
          requestId: context.requestId,
          citizenId: death.deceasedCitizenId,
          reason: `death on ${death.dateOfDeath} registered by office ${header.officeCode} (no. ${header.registrationNumber})`,
        }),
      (refusal) =>
        refusal.code === 'REGISTRY_RESIDENCE_NOT_REGISTERED'
          ? skipped('no registered permanent residence to cancel')
          : review(
              `the population registry refused to cancel the permanent residence (${refusalCode(refusal)}); ` +
                'VSS asks the registry why, then retries',
            ),
    );
    if (!answer.ok) return answer.verdict;
    return done('permanent residence cancelled');
  }

  private async endCoverage(context: StepContext): Promise<StepResult> {
    const death = deathOf(context);
    const id = death.deceasedCitizenId;
    return {
      local: async (client) => {
        const recorded = await this.deaths.record(client, { citizenId: id }, death.dateOfDeath, {
          kind: 'PROCEDURE',
          procedureId: context.procedureId,
        });
        if (recorded.records === 0) {
          return skipped(`no VSS record for citizen ${id}: no card or benefit to end`);
        }
        await this.audit.recordWithin(client, {
          caller: WORKER_ACTOR,
          action: AuditAction.CoverageEnded,
          subjectCitizenId: id,
          officeCode: context.payload.header.officeCode,
          purpose: 'linked-procedure',
          outcome: recorded.changed ? 'RECORDED' : 'ALREADY_RECORDED',
          detail: {
            procedureId: context.procedureId,
            dateOfDeath: death.dateOfDeath,
            cardsEnded: recorded.cardsEnded,
            benefitsStopped: recorded.benefitsStopped,
            stoppedFrom: recorded.stoppedFrom,
            paymentsFlagged: recorded.paymentsFlagged.map((p) => p.period),
            amountToRecoverVnd: recorded.amountToRecoverVnd,
          },
        });
        const cards = recorded.cardsEnded;
        const flagged = recorded.paymentsFlagged.length;
        return done(
          [
            `coverage ended on ${death.dateOfDeath} (${cards.length} card${cards.length === 1 ? '' : 's'})`,
            recorded.benefitsStopped.length > 0
              ? `${recorded.benefitsStopped.join(', ')} stopped from ${recorded.stoppedFrom}`
              : 'no monthly benefit to stop',
            `${flagged} payment${flagged === 1 ? '' : 's'} (${formatVnd(recorded.amountToRecoverVnd)}) flagged for recovery`,
          ].join('; '),
        );
      },
    };
  }

  private async assessBenefits(context: StepContext): Promise<StepResult> {
    const death = deathOf(context);
    const id = death.deceasedCitizenId;
    return {
      local: async (client) => {
        const records = await this.insurance.participants(client, id);
        if (records.length === 0) {
          const basis = `not eligible: citizen ${id} has no VSS record`;
          return {
            status: 'SKIPPED',
            outcome: basis,
            patch: {
              funeral: { allowanceVnd: 0, allowanceBasis: basis, costSupportVnd: 0, costSupportBasis: basis },
            },
          };
        }
        const assessed = assessFuneralBenefits({
          dateOfDeath: death.dateOfDeath,
          workRelated: death.workRelated,
          isPensionerOrMonthlyBeneficiary: await this.insurance.hadMonthlyBenefitOn(
            client,
            id,
            death.dateOfDeath,
          ),
          compulsoryContributionMonths: Math.max(...records.map((r) => r.compulsoryContributionMonths)),
          isSocialAssistanceBeneficiary: records.some((r) => r.socialAssistanceBeneficiary),
          rates: await this.insurance.rates(client),
        });
        if (!assessed.ok) return review(`the funeral benefits cannot be assessed: ${assessed.error.message}`);
        const { funeralAllowance: allowance, funeralCostSupport: support } = assessed.value;
        return done(
          `funeral allowance ${formatVnd(allowance.amountVnd)}; funeral cost support ${formatVnd(support.amountVnd)}`,
          {
            funeral: {
              allowanceVnd: allowance.amountVnd,
              allowanceBasis: allowance.basis,
              costSupportVnd: support.amountVnd,
              costSupportBasis: support.basis,
            },
          },
        );
      },
    };
  }

  private async createPayout(context: StepContext): Promise<StepResult> {
    const death = deathOf(context);
    const allowanceVnd = context.assessed?.allowanceVnd ?? 0;
    const costSupportVnd = context.assessed?.costSupportVnd ?? 0;
    if (allowanceVnd + costSupportVnd === 0) return skipped('no funeral benefit is due: no payout');
    const officeCode = context.payload.header.officeCode;
    const total = allowanceVnd + costSupportVnd;
    return {
      local: async (client) => {
        const held = await this.payoutHold(context, client, total);
        if (held) return held;
        const payout = await this.payouts.create(client, {
          procedureId: context.procedureId,
          officeCode,
          deceasedCitizenId: death.deceasedCitizenId,
          dateOfDeath: death.dateOfDeath,
          claimant: death.claimant,
          allowanceVnd,
          costSupportVnd,
        });
        if (payout.procedureId !== context.procedureId) {
          return review(
            `a funeral payout for the death of citizen ${death.deceasedCitizenId} was already instructed by another ` +
              'procedure; no second payout is made: resolve this procedure',
          );
        }
        const c = death.claimant;
        await this.audit.recordWithin(client, {
          caller: WORKER_ACTOR,
          action: AuditAction.PayoutOrdered,
          subjectCitizenId: death.deceasedCitizenId,
          officeCode: context.payload.header.officeCode,
          purpose: 'linked-procedure',
          outcome: 'ORDERED',
          detail: {
            procedureId: context.procedureId,
            payoutId: payout.payoutId,
            totalVnd: allowanceVnd + costSupportVnd,
            claimantCitizenId: c.citizenId,
          },
        });
        return done(
          `payout ${payout.payoutId} of ${formatVnd(total)} instructed to ${c.fullName} ` +
            `(${c.relationship}), ${c.bankCode} account ending ${c.accountNumber.slice(-4)}`,
          { payoutId: payout.payoutId },
        );
      },
    };
  }

  /**
   * A payout waits for an approver when its account or claimant was paid for another death
   * within PAYOUT_REPEAT_MONTHS, when the office's payouts of the day reached
   * PAYOUT_DAILY_PER_OFFICE, or when it is above PAYOUT_APPROVAL_THRESHOLD_VND. Nothing is paid
   * while it waits.
   */
  private async payoutHold(context: StepContext, client: PoolClient, totalVnd: number) {
    const death = deathOf(context);
    const months = this.config.PAYOUT_REPEAT_MONTHS;
    const history = await this.payouts.history(
      client,
      {
        officeCode: context.payload.header.officeCode,
        deceasedCitizenId: death.deceasedCitizenId,
        claimant: death.claimant,
      },
      months,
    );
    const reasons: string[] = [];
    if (history.sameAccount > 0) {
      reasons.push(`the payout account received a funeral payout for another death within ${months} months`);
    }
    if (history.sameClaimant > 0) {
      reasons.push(`the claimant received a funeral payout for another death within ${months} months`);
    }
    if (history.officeToday >= this.config.PAYOUT_DAILY_PER_OFFICE) {
      reasons.push(`this office's funeral payouts today reached ${this.config.PAYOUT_DAILY_PER_OFFICE}`);
    }
    if (totalVnd > this.config.PAYOUT_APPROVAL_THRESHOLD_VND) {
      reasons.push(
        `the total ${formatVnd(totalVnd)} is above ${formatVnd(this.config.PAYOUT_APPROVAL_THRESHOLD_VND)}`,
      );
    }
    if (reasons.length === 0) return undefined;
    return hold(
      context,
      'PAYOUT_CHECKS',
      `${reasons.join('; ')}: an approver checks the claim before anything is paid`,
      { ...history, totalVnd },
    );
  }
}
