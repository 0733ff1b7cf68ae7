import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { type AuditActor, AuditAction, AuditTrail } from '@vss/audit';
import type { ReconciliationOutcome } from '@vss/domain/reconciliation';
import {
  type CurrentParticipant,
  DeathRecorder,
  InsuranceRecordsRepository,
  type ParticipantCorrection,
} from '@vss/insurance-records';
import { PG_POOL, storedGender, withTransaction } from '@vss/platform';
import type { Caller } from '@vss/security';
import { type FindingFilter, type FindingRow, FindingsRepository } from '../findings.repository';

export interface BatchResult {
  applied: Partial<Record<ReconciliationOutcome, number>>;
  /** Findings no longer true of the record (it changed since the run). */
  stale: number;
  /** Deaths not recorded: the population registry no longer records the person as dead. */
  alive: number;
  /** The last finding looked at; the next batch starts after it. */
  lastFindingId: string | null;
}

type Changes = Record<string, unknown>;

const COLUMN_OF_FIELD = {
  full_name: 'full_name',
  date_of_birth: 'date_of_birth',
  gender: 'gender',
} as const satisfies Record<string, keyof CurrentParticipant>;
const CORRECTION_OF_COLUMN = {
  full_name: 'fullName',
  date_of_birth: 'dateOfBirth',
  gender: 'gender',
} as const satisfies Record<
  (typeof COLUMN_OF_FIELD)[keyof typeof COLUMN_OF_FIELD],
  keyof ParticipantCorrection
>;

/** A gender difference names MALE/FEMALE; the table stores M/F. */
function stored(column: keyof typeof CORRECTION_OF_COLUMN, value: string): string {
  return column === 'gender' && (value === 'MALE' || value === 'FEMALE') ? storedGender(value) : value;
}

/**
 * Applies findings to the insurance records, a batch per transaction: each finding's change
 * (made by the insurance records' own repository), its applied_at and its audit entry commit
 * together, so a finding is applied once and never without its evidence. Each change is made
 * only if the record still says what the run saw; otherwise the finding is stale and left as
 * it is.
 */
@Injectable()
export class FindingsApplier {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly findings: FindingsRepository,
    private readonly records: InsuranceRecordsRepository,
    private readonly deaths: DeathRecorder,
    private readonly audit: AuditTrail,
  ) {}

  async applyBatch(filter: FindingFilter, after: string, size: number, caller: Caller): Promise<BatchResult> {
    return withTransaction(this.pool, (client) => this.applyBatchWithin(client, filter, after, size, caller));
  }

  /**
   * One batch on the caller's transaction. `application` names the application and the operator
   * who asked for it (the worker applies on their word), `approval` the approval it was held for
   * (its entries name the approver beside the requester); `alive` are the findings whose person
   * the registry no longer records as dead, left unapplied.
   */
  async applyBatchWithin(
    client: PoolClient,
    filter: FindingFilter,
    after: string,
    size: number,
    caller: AuditActor,
    held: {
      application?: { applicationId: string; requestedBy: string; requestedById: string };
      approval?: { approvalId: string; approvedBy: string };
      alive?: ReadonlySet<string>;
    } = {},
  ): Promise<BatchResult> {
    const result: BatchResult = { applied: {}, stale: 0, alive: 0, lastFindingId: null };
    for (const finding of await this.findings.lockUnapplied(client, filter, after, size)) {
      result.lastFindingId = finding.finding_id;
      if (held.alive?.has(finding.finding_id)) {
        result.alive += 1;
        continue;
      }
      const changes = await this.applyOne(client, finding);
      if (changes === null) {
        result.stale += 1;
        continue;
      }
      await this.findings.markApplied(client, finding.finding_id);
      await this.audit.recordWithin(client, {
        caller,
        action: AuditAction.FindingApplied,
        subjectCitizenId: finding.citizen_id ?? finding.resolved_citizen_id ?? undefined,
        purpose: 'reconciliation',
        outcome: finding.outcome,
        detail: {
          runId: finding.run_id,
          findingId: finding.finding_id,
          socialInsuranceCode: finding.social_insurance_code,
          changes,
          ...(held.application ?? {}),
          ...(held.approval ?? {}),
        },
      });
      result.applied[finding.outcome] = (result.applied[finding.outcome] ?? 0) + 1;
    }
    return result;
  }

  /** The change a finding makes, or null when the record no longer matches what the run saw. */
  private async applyOne(client: PoolClient, f: FindingRow): Promise<Changes | null> {
    // The person's lock first, then the row's: the order the death procedure takes them in.
    await this.records.lockPerson(
      client,
      f.citizen_id ? { citizenId: f.citizen_id } : { socialInsuranceCode: f.social_insurance_code },
    );
    const current = await this.records.lockParticipant(client, f.social_insurance_code);
    if (!current) return null;
    if (f.outcome === 'DECEASED_BUT_ACTIVE') return this.recordDeath(client, f, current);
    return this.correct(client, f, current);
  }

  /** Fields to the registry's values, a resolved legacy ID linked, the record marked verified. */
  private async correct(
    client: PoolClient,
    f: FindingRow,
    current: CurrentParticipant,
  ): Promise<Changes | null> {
    const changes: Changes = {};
    const correction: ParticipantCorrection = {};
    for (const d of f.differences) {
      const column = COLUMN_OF_FIELD[d.field as keyof typeof COLUMN_OF_FIELD];
      if (!column) continue;
      if (current[column] !== stored(column, d.insuranceValue)) return null;
      correction[CORRECTION_OF_COLUMN[column]] = stored(column, d.registryValue);
      changes[d.field] = { from: d.insuranceValue, to: d.registryValue };
    }
    if (f.outcome === 'LEGACY_ID_RESOLVED') {
      if (current.citizen_id !== null || !f.resolved_citizen_id) return null;
      correction.citizenId = f.resolved_citizen_id;
      changes.citizen_id = { from: null, to: f.resolved_citizen_id, legacyId: current.legacy_id };
    }
    await this.records.correctParticipant(client, f.social_insurance_code, correction);
    changes.verified = true;
    return changes;
  }

  /** The death recorded as the death procedure records it; stale when VSS already knows of a death. */
  private async recordDeath(
    client: PoolClient,
    f: FindingRow,
    current: CurrentParticipant,
  ): Promise<Changes | null> {
    const dateOfDeath = f.date_of_death;
    if (!dateOfDeath || current.deceased_on !== null) return null;
    const recorded = await this.deaths.record(
      client,
      current.citizen_id
        ? { citizenId: current.citizen_id }
        : { socialInsuranceCode: f.social_insurance_code },
      dateOfDeath,
      { kind: 'RECONCILIATION', runId: f.run_id, findingId: f.finding_id },
    );
    return {
      deceasedOn: dateOfDeath,
      cardEnded: recorded.cardsEnded.length,
      benefitsStopped: recorded.benefitsStopped,
      stoppedFrom: recorded.stoppedFrom,
      paymentsFlagged: recorded.paymentsFlagged.map((p) => p.period),
      amountToRecoverVnd: recorded.amountToRecoverVnd,
    };
  }
}
