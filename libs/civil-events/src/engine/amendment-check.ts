import { Injectable } from '@nestjs/common';
import { isAmendment, subjectOf } from '@vss/domain/linked-procedures';
import { DeathAmendments } from '@vss/insurance-records';
import { ProcedureReadsRepository } from '../procedure-reads.repository';
import {
  done,
  earlierRegistration,
  hold,
  review,
  type StepContext,
  type StepHandler,
  type StepResult,
} from '../step';

/**
 * The first step of every revocation and correction. The office's authority was decided when the
 * filing was accepted; here the world is checked once more (another death of the person filed
 * since the original stops it for a person), and a revoked or corrected death waits for an
 * approver: it restores or moves a pension, a card and a funeral payment on one office's word.
 * Once a revocation of a death is approved, the person's coverage lookups say so until their
 * records are reinstated.
 */
@Injectable()
export class AmendmentCheck {
  constructor(
    private readonly procedures: ProcedureReadsRepository,
    private readonly deaths: DeathAmendments,
  ) {}

  handlers(): Record<'check_amendment', StepHandler> {
    return { check_amendment: (c) => this.check(c) };
  }

  private async check(context: StepContext): Promise<StepResult> {
    const payload = context.payload;
    if (!isAmendment(payload.kind) || !('original' in payload)) {
      throw new Error(`${context.procedureId} is not a revocation or correction`);
    }
    const id = subjectOf(payload);
    const { header, original } = payload;
    if (!('death' in payload)) {
      return done(
        `office ${header.officeCode}'s authority over the registration was checked when the filing was accepted`,
      );
    }
    const death = payload.death;
    const approval =
      payload.kind === 'DEATH_REVOCATION'
        ? `office ${header.officeCode} revokes the registration of the death of citizen ${id} on ${death.dateOfDeath} ` +
          `(event ${original.eventId} of office ${original.officeCode}): "${payload.reason}". Approving restores the ` +
          'card, coverage and monthly benefits from that day with the months stopped owed as arrears, unflags the ' +
          'payments flagged for recovery, asks the population registry to restore the residence, and cancels a ' +
          'funeral payout not yet paid (one already paid goes to review, never recovered automatically)'
        : payload.kind === 'DEATH_CORRECTION'
          ? `office ${header.officeCode} corrects the date of death of citizen ${id} from ${death.dateOfDeath} to ` +
            `${payload.corrected.dateOfDeath} (event ${original.eventId} of office ${original.officeCode}): ` +
            `"${payload.reason}". Approving moves the end of coverage and the benefit stop, flags or unflags ` +
            'payments to match, and re-decides the funeral benefit with the rates in force at the corrected date'
          : undefined;
    return {
      local: async (client) => {
        const later = await this.procedures.laterDeath(client, id, original.procedureId);
        if (later) {
          return review(
            `another death of citizen ${id} was registered since, ${earlierRegistration(later, header)}: ` +
              'this amendment would undo or move what that one did; VSS decides which stands, then retries or resolves',
          );
        }
        const held = approval
          ? hold(context, 'DEATH_AMENDMENT', approval, { originalProcedureId: original.procedureId })
          : undefined;
        if (held) return held;
        if (payload.kind === 'DEATH_REVOCATION') {
          await this.deaths.revocationApproved(client, id, context.procedureId);
        }
        return done(
          `approved by a second person; the original registration still stands as its procedure left it`,
        );
      },
    };
  }
}
