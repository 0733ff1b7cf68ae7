import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { assessFuneralBenefits, formatVnd, funeralDifference } from '@vss/domain';
import type { CivilEventPayload, DeathRegistrationFacts } from '@vss/domain/linked-procedures';
import { AuditAction, AuditTrail, WORKER_ACTOR } from '@vss/audit';
import {
  type AmendedDeath,
  DeathAmendments,
  FuneralPayoutsRepository,
  InsuranceRecordsRepository,
} from '@vss/insurance-records';
import { ProcedureReadsRepository } from '../procedure-reads.repository';
import {
  done,
  review,
  skipped,
  type StepContext,
  type StepHandler,
  type StepResult,
  type Verdict,
} from '../step';
import { askRegistry, refusalCode } from './registry-failures';

type DeathRevocation = Extract<CivilEventPayload, { kind: 'DEATH_REVOCATION' }>;
type DeathCorrection = Extract<CivilEventPayload, { kind: 'DEATH_CORRECTION' }>;

function revocationOf(context: StepContext): DeathRevocation {
  if (context.payload.kind !== 'DEATH_REVOCATION')
    throw new Error(`${context.procedureId} is not a revoked death`);
  return context.payload;
}

function correctionOf(context: StepContext): DeathCorrection {
  if (context.payload.kind !== 'DEATH_CORRECTION')
    throw new Error(`${context.procedureId} is not a corrected death`);
  return context.payload;
}

const RESOLVE_HINT = 'VSS decides, then retries or resolves this procedure';

/** A sentence of what undoing or moving the death changed. */
function summary(changed: Exclude<AmendedDeath, { conflict: string }>, verb: string): string {
  const months = changed.arrears.reduce((n, a) => n + a.months.length, 0);
  return [
    `${changed.cardsChanged.length} card(s) ${verb}`,
    changed.benefitsChanged.length > 0
      ? `${changed.benefitsChanged.join(', ')} ${verb === 'reinstated' ? 'resumed' : 'stop recomputed'}`
      : 'no monthly benefit to change',
    `${months} month(s) owed as arrears (${formatVnd(changed.arrearsVnd)})`,
    `${changed.paymentsUnflagged} payment(s) unflagged (${formatVnd(changed.amountUnflaggedVnd)})`,
    ...(changed.paymentsFlagged > 0
      ? [`${changed.paymentsFlagged} more payment(s) flagged for recovery`]
      : []),
  ].join('; ');
}

/**
 * A revoked death: the registry undoes the death and restores the residence it cancelled; the
 * records are reinstated with arrears; an unpaid funeral payout is cancelled and a paid one left
 * to a person. A corrected death: the registry's date moves; coverage, benefits and payment flags
 * are recomputed from the new date; the funeral benefit is re-decided with the rates in force
 * then, the difference recorded either way.
 */
@Injectable()
export class DeathAmendmentSteps {
  constructor(
    private readonly deaths: DeathAmendments,
    private readonly payouts: FuneralPayoutsRepository,
    private readonly insurance: InsuranceRecordsRepository,
    private readonly procedures: ProcedureReadsRepository,
    private readonly audit: AuditTrail,
  ) {}

  handlers(): Record<
    | 'revoke_death_record'
    | 'restore_residence'
    | 'reinstate_coverage'
    | 'settle_funeral'
    | 'correct_death_record'
    | 'recompute_coverage'
    | 'reassess_funeral',
    StepHandler
  > {
    return {
      revoke_death_record: (c) => this.revokeDeathRecord(c),
      restore_residence: (c) => this.restoreResidence(c),
      reinstate_coverage: (c) => this.reinstateCoverage(c),
      settle_funeral: (c) => this.settleFuneral(c),
      correct_death_record: (c) => this.correctDeathRecord(c),
      recompute_coverage: (c) => this.recomputeCoverage(c),
      reassess_funeral: (c) => this.reassessFuneral(c),
    };
  }

  private async revokeDeathRecord(context: StepContext): Promise<StepResult> {
    const { death, header } = revocationOf(context);
    const answer = await askRegistry(
      () =>
        context.registry.revokeDeath({
          requestId: context.requestId,
          citizenId: death.deceasedCitizenId,
          dateOfDeath: death.dateOfDeath,
          reason: `death registration revoked by office ${header.officeCode} (no. ${header.registrationNumber})`,
        }),
      (refusal) =>
        review(
          refusal.code === 'REGISTRY_DEATH_DIFFERS'
            ? 'the population registry records another date of death for this citizen (a later registration?): ' +
                RESOLVE_HINT
            : `the population registry refused to revoke the death (${refusalCode(refusal)}); ${RESOLVE_HINT}`,
        ),
    );
    if (!answer.ok) return answer.verdict;
    return done('the death is revoked in the population registry: the citizen is recorded alive');
  }

  private async restoreResidence(context: StepContext): Promise<StepResult> {
    const { death, header } = revocationOf(context);
    const answer = await askRegistry(
      () =>
        context.registry.restorePermanentResidence({
          requestId: context.requestId,
          citizenId: death.deceasedCitizenId,
          reason: `death registration revoked by office ${header.officeCode} (no. ${header.registrationNumber})`,
        }),
      (refusal) =>
        refusal.code === 'REGISTRY_RESIDENCE_NOT_CANCELLED'
          ? skipped('no cancelled permanent residence to restore')
          : review(
              `the population registry refused to restore the residence (${refusalCode(refusal)}); ${RESOLVE_HINT}`,
            ),
    );
    if (!answer.ok) return answer.verdict;
    return done('permanent residence registered again');
  }

  private async reinstateCoverage(context: StepContext): Promise<StepResult> {
    const { death, header } = revocationOf(context);
    const id = death.deceasedCitizenId;
    return {
      local: async (client) => {
        const changed = await this.deaths.revoke(
          client,
          id,
          death.dateOfDeath,
          context.procedureId,
          context.today,
        );
        if ('conflict' in changed) return review(`${changed.conflict}; ${RESOLVE_HINT}`);
        if (changed.records === 0)
          return skipped(`no VSS record for citizen ${id}: no card or benefit to reinstate`);
        await this.audit.recordWithin(client, {
          caller: WORKER_ACTOR,
          action: AuditAction.CoverageReinstated,
          subjectCitizenId: id,
          officeCode: header.officeCode,
          purpose: 'linked-procedure',
          outcome: 'REINSTATED',
          detail: {
            procedureId: context.procedureId,
            revokedDateOfDeath: death.dateOfDeath,
            cardsReinstated: changed.cardsChanged,
            benefitsResumed: changed.benefitsChanged,
            arrears: changed.arrears.map((a) => ({ kind: a.kind, periods: a.months.map((m) => m.period) })),
            arrearsVnd: changed.arrearsVnd,
            paymentsUnflagged: changed.paymentsUnflagged,
          },
        });
        return done(`coverage reinstated from ${death.dateOfDeath}: ${summary(changed, 'reinstated')}`);
      },
    };
  }

  private async settleFuneral(context: StepContext): Promise<StepResult> {
    const { death, header } = revocationOf(context);
    return {
      local: async (client) => {
        const payout = await this.payouts.standing(client, death.deceasedCitizenId);
        if (!payout) return skipped('no funeral payout was instructed');
        if (payout.status === 'PAID') {
          // The facts for the officer; nothing of the claimant's (another office's filing).
          return review(
            `the funeral payout ${payout.payoutId} of ${formatVnd(payout.totalVnd)} was paid on ${payout.paidOn}` +
              `${payout.paymentReference ? ` (reference ${payout.paymentReference})` : ''} to the claimant of the ` +
              'revoked registration; it is never recovered automatically: VSS decides with the family whether it ' +
              'is returned, then resolves this procedure',
          );
        }
        const reason = `death registration revoked by office ${header.officeCode} (procedure ${context.procedureId})`;
        if (!(await this.payouts.cancel(client, payout.payoutId, reason))) {
          return review(
            `the funeral payout ${payout.payoutId} changed while it was being cancelled; ${RESOLVE_HINT}`,
          );
        }
        await this.audit.recordWithin(client, {
          caller: WORKER_ACTOR,
          action: AuditAction.PayoutCancelled,
          subjectCitizenId: death.deceasedCitizenId,
          officeCode: header.officeCode,
          purpose: 'linked-procedure',
          outcome: 'CANCELLED',
          detail: { procedureId: context.procedureId, payoutId: payout.payoutId, totalVnd: payout.totalVnd },
        });
        return done(
          `funeral payout ${payout.payoutId} of ${formatVnd(payout.totalVnd)} cancelled before payment`,
        );
      },
    };
  }

  private async correctDeathRecord(context: StepContext): Promise<StepResult> {
    const { death, corrected, header } = correctionOf(context);
    const answer = await askRegistry(
      () =>
        context.registry.correctDeath({
          requestId: context.requestId,
          citizenId: death.deceasedCitizenId,
          recordedDateOfDeath: death.dateOfDeath,
          dateOfDeath: corrected.dateOfDeath,
          reason: `death registration corrected by office ${header.officeCode} (no. ${header.registrationNumber})`,
        }),
      (refusal) =>
        review(
          refusal.code === 'REGISTRY_DEATH_DIFFERS'
            ? 'the population registry records another date of death than the one corrected: ' + RESOLVE_HINT
            : `the population registry refused to correct the death (${refusalCode(refusal)}); ${RESOLVE_HINT}`,
        ),
    );
    if (!answer.ok) return answer.verdict;
    return done(
      `date of death corrected in the population registry: ${death.dateOfDeath} → ${corrected.dateOfDeath}`,
    );
  }

  private async recomputeCoverage(context: StepContext): Promise<StepResult> {
    const { death, corrected, header } = correctionOf(context);
    const id = death.deceasedCitizenId;
    return {
      local: async (client) => {
        const changed = await this.deaths.correct(
          client,
          id,
          death.dateOfDeath,
          corrected.dateOfDeath,
          context.procedureId,
        );
        if ('conflict' in changed) return review(`${changed.conflict}; ${RESOLVE_HINT}`);
        if (changed.records === 0) return skipped(`no VSS record for citizen ${id}: nothing to recompute`);
        await this.audit.recordWithin(client, {
          caller: WORKER_ACTOR,
          action: AuditAction.DeathDateCorrected,
          subjectCitizenId: id,
          officeCode: header.officeCode,
          purpose: 'linked-procedure',
          outcome: 'RECOMPUTED',
          detail: {
            procedureId: context.procedureId,
            from: death.dateOfDeath,
            to: corrected.dateOfDeath,
            cardsMoved: changed.cardsChanged,
            arrearsVnd: changed.arrearsVnd,
            paymentsFlagged: changed.paymentsFlagged,
            paymentsUnflagged: changed.paymentsUnflagged,
          },
        });
        return done(`coverage ends on ${corrected.dateOfDeath}: ${summary(changed, 'moved')}`);
      },
    };
  }

  private async reassessFuneral(context: StepContext): Promise<StepResult> {
    const payload = correctionOf(context);
    const { death, corrected, header } = payload;
    const id = death.deceasedCitizenId;
    return {
      local: async (client): Promise<Verdict> => {
        const payout = await this.payouts.standing(client, id);
        const decidedVnd =
          payout?.totalVnd ??
          (await this.procedures.assessedFuneral(client, payload.original.procedureId)) ??
          0;
        const due = await this.due(client, { ...death, dateOfDeath: corrected.dateOfDeath });
        if (!due.ok) return review(`the funeral benefits cannot be re-decided: ${due.message}`);
        const { differenceVnd, direction } = funeralDifference(decidedVnd, due.totalVnd);
        await this.payouts.recordAdjustment(client, {
          procedureId: context.procedureId,
          payoutId: payout?.payoutId,
          deceasedCitizenId: id,
          decidedVnd,
          dueVnd: due.totalVnd,
          differenceVnd,
          direction,
          basis: due.basis,
        });
        await this.audit.recordWithin(client, {
          caller: WORKER_ACTOR,
          action: AuditAction.FuneralReassessed,
          subjectCitizenId: id,
          officeCode: header.officeCode,
          purpose: 'linked-procedure',
          outcome: direction,
          detail: {
            procedureId: context.procedureId,
            payoutId: payout?.payoutId,
            decidedVnd,
            dueVnd: due.totalVnd,
          },
        });
        const decided = `${formatVnd(decidedVnd)} was decided${payout ? ` (payout ${payout.payoutId}, ${payout.status.toLowerCase()})` : ''}`;
        const patch = { funeral: due.patch };
        if (direction === 'TO_RECOVER') {
          return review(
            `re-decided at the corrected date of death: ${formatVnd(due.totalVnd)} is due and ${decided}; ` +
              `${formatVnd(-differenceVnd)} would be recovered from the claimant, which is never done automatically: ` +
              'VSS decides with the family, then resolves this procedure',
          );
        }
        return done(
          direction === 'NONE'
            ? `re-decided at the corrected date of death: ${formatVnd(due.totalVnd)}, as decided before`
            : `re-decided at the corrected date of death: ${formatVnd(due.totalVnd)} is due and ${decided}; ` +
                `${formatVnd(differenceVnd)} recorded as owed to the claimant`,
          patch,
        );
      },
    };
  }

  /** The funeral benefits due for the death on its corrected date, with the rates in force then. */
  private async due(client: PoolClient, death: DeathRegistrationFacts) {
    const records = await this.insurance.participants(client, death.deceasedCitizenId);
    if (records.length === 0) {
      const basis = 'not eligible: no VSS record';
      return {
        ok: true as const,
        totalVnd: 0,
        basis,
        patch: { allowanceVnd: 0, allowanceBasis: basis, costSupportVnd: 0, costSupportBasis: basis },
      };
    }
    const assessed = assessFuneralBenefits({
      dateOfDeath: death.dateOfDeath,
      workRelated: death.workRelated,
      isPensionerOrMonthlyBeneficiary: await this.insurance.hadMonthlyBenefitOn(
        client,
        death.deceasedCitizenId,
        death.dateOfDeath,
      ),
      compulsoryContributionMonths: Math.max(...records.map((r) => r.compulsoryContributionMonths)),
      isSocialAssistanceBeneficiary: records.some((r) => r.socialAssistanceBeneficiary),
      rates: await this.insurance.rates(client),
    });
    if (!assessed.ok) return { ok: false as const, message: assessed.error.message };
    const { funeralAllowance: a, funeralCostSupport: s } = assessed.value;
    return {
      ok: true as const,
      totalVnd: a.amountVnd + s.amountVnd,
      basis: `allowance: ${a.basis}; cost support: ${s.basis}`,
      patch: {
        allowanceVnd: a.amountVnd,
        allowanceBasis: a.basis,
        costSupportVnd: s.amountVnd,
        costSupportBasis: s.basis,
      },
    };
  }
}
