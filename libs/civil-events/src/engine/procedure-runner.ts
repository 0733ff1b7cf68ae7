import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  type ProcedureStepJob,
  type ProcedureStepName,
  retryDelayMs,
  subjectOf,
} from '@vss/domain/linked-procedures';
import { Clock, type WorkerConfig } from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import { LOGGER, APP_CONFIG } from '@vss/platform';
import { ApprovalsRepository } from '@vss/approvals';
import { AuditAction, AuditTrail, WORKER_ACTOR } from '@vss/audit';
import { BirthSteps } from './birth-steps';
import { DeathSteps } from './death-steps';
import { AmendmentCheck } from './amendment-check';
import { BirthAmendmentSteps } from './birth-amendment-steps';
import { DeathAmendmentSteps } from './death-amendment-steps';
import type { Claim } from '../procedure.rows';
import { ProceduresRepository, type RequestApproval } from '../procedures.repository';
import { describeFailure, isTransientFailure } from './registry-failures';
import type { StepHandler, StepResult } from '../step';

/**
 * Attempts of a step that fails with an error we did not foresee (a bug, bad data) before the
 * procedure stops for review. A registry that is down is retried without limit instead: the
 * procedure waits, visibly, and finishes when the registry is back.
 */
const UNEXPECTED_ATTEMPTS = 5;

/** Runs one step of a procedure per job, and decides what happens after it. */
@Injectable()
export class ProcedureRunner {
  private readonly handlers: Record<string, StepHandler>;

  constructor(
    private readonly procedures: ProceduresRepository,
    private readonly registry: RegistryClient,
    private readonly clock: Clock,
    private readonly approvals: ApprovalsRepository,
    private readonly audit: AuditTrail,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    birth: BirthSteps,
    death: DeathSteps,
    check: AmendmentCheck,
    deathAmendments: DeathAmendmentSteps,
    birthAmendments: BirthAmendmentSteps,
  ) {
    this.handlers = {
      ...birth.handlers(),
      ...death.handlers(),
      ...check.handlers(),
      ...deathAmendments.handlers(),
      ...birthAmendments.handlers(),
    } satisfies Record<ProcedureStepName, StepHandler>;
  }

  /**
   * Handles one job. Throws only when even the failure could not be recorded (the database is
   * away): the queue then hands the same job out again.
   */
  async run(job: ProcedureStepJob): Promise<void> {
    const claim = await this.procedures.claim(job);
    if (!claim) return; // stale: another job of a later generation owns the procedure
    let result: StepResult;
    try {
      result = await this.handlers[claim.step]({
        procedureId: claim.procedureId,
        seq: claim.seq,
        kind: claim.kind,
        step: claim.step,
        attempt: claim.attempts,
        payload: claim.payload,
        assessed: claim.assessed,
        registry: this.registry,
        requestId: `${claim.procedureId}:${claim.step}`,
        today: this.clock.today(),
        receivedOn: claim.receivedOn,
        released: claim.released,
      });
      const verdict = await this.procedures.finish(
        claim,
        result,
        this.config.JOB_EXPIRE_SECONDS,
        this.requestApproval(claim),
      );
      if (verdict?.status === 'REVIEW') {
        // The reason names citizens; it is read through GetProcedure, not from the log.
        this.logger.warn({ procedureId: claim.procedureId, step: claim.step }, 'needs review');
      }
    } catch (error) {
      await this.failed(claim, error);
    }
  }

  /** The request of a held step, and its audit entry, in the step's transaction. */
  private requestApproval(claim: Claim): RequestApproval {
    return async (client, held) => {
      const { header } = claim.payload;
      const approval = await this.approvals.request(client, {
        subjectKind: 'PROCEDURE',
        subjectId: claim.procedureId,
        hold: held.hold,
        reason: held.reason,
        detail: { step: claim.step, ...held.detail },
        officeCode: header.officeCode,
        requestedBy: `office ${header.officeCode} (event ${header.eventId})`,
      });
      await this.audit.recordWithin(client, {
        caller: WORKER_ACTOR,
        action: AuditAction.ApprovalRequested,
        subjectCitizenId: subjectOf(claim.payload),
        officeCode: header.officeCode,
        purpose: 'linked-procedure',
        outcome: held.hold,
        detail: { procedureId: claim.procedureId, approvalId: approval.approvalId, step: claim.step },
      });
      return approval.approvalId;
    };
  }

  private async failed(claim: Claim, error: unknown): Promise<void> {
    const transient = isTransientFailure(error);
    const description = describeFailure(error);
    const context = { procedureId: claim.procedureId, step: claim.step, attempt: claim.attempts };
    if (!transient && claim.attempts >= UNEXPECTED_ATTEMPTS) {
      this.logger.error({ ...context, err: error }, 'step failed repeatedly; stopping for review');
      await this.procedures.needReview(
        claim,
        `step ${claim.step} failed ${claim.attempts} times with an unexpected error (${description}); ` +
          `the operators' log has the details: fix the cause, then retry the procedure`,
      );
      return;
    }
    const delay = retryDelayMs(
      claim.attempts,
      this.config.PROCEDURE_RETRY_BASE_MS,
      this.config.PROCEDURE_RETRY_MAX_MS,
      Math.random(),
    );
    if (transient)
      this.logger.info({ ...context, delay, error: description }, 'registry unavailable; will retry');
    else this.logger.error({ ...context, delay, err: error }, 'unexpected error in a step; will retry');
    await this.procedures.retryLater(
      claim,
      `${transient ? 'the population registry is unavailable' : 'unexpected error'}: ${description}; ` +
        `attempt ${claim.attempts}, next in ${(delay / 1000).toFixed(1)} s`,
      delay,
      this.config.JOB_EXPIRE_SECONDS,
    );
  }
}
