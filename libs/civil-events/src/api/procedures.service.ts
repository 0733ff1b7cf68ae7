import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { Observable } from 'rxjs';
import {
  type ListProceduresRequest,
  type ListProceduresResponse,
  type Procedure,
  type WatchProcedureResponse,
} from '@vss/contracts';
import { isSettled, type LinkedProcedureState, PROCEDURE_TRANSITIONS } from '@vss/domain/linked-procedures';
import {
  APP_CONFIG,
  CHANGE_HUB,
  type ChangeHub,
  Clock,
  coalesced,
  encodePageToken,
  type GatewayConfig,
  shuttingDown,
  WATCH_CHANNELS,
} from '@vss/platform';
import { AuditAction, AuditTrail } from '@vss/audit';
import { DeathAmendments } from '@vss/insurance-records';
import { type Caller } from '@vss/security';
import { CivilEventErrorCode, civilEventError } from '../civil-events.errors';
import {
  ProcedureReadsRepository,
  type StateCountRow,
  type StepAttemptRow,
} from '../procedure-reads.repository';
import { ProceduresRepository } from '../procedures.repository';
import { type ProcedureRow, toProcedure } from '../procedure.rows';
import { parseListProcedures, parseResolveNote, requireProcedureId } from './procedures.request';

/** A procedure meant to run that has had no job and no change for this long is stuck. */
export const STUCK_AFTER_SECONDS = 60;

/** The states of a procedure that is not finished. */
export const OPEN_STATES: readonly LinkedProcedureState[] = [
  'ACCEPTED',
  'RUNNING',
  'WAITING_RETRY',
  'AWAITING_APPROVAL',
  'NEEDS_REVIEW',
];

/** Reading procedures, following them as they run, and the administrators' actions on them. */
@Injectable()
export class ProceduresService {
  constructor(
    private readonly reads: ProcedureReadsRepository,
    private readonly repository: ProceduresRepository,
    private readonly audit: AuditTrail,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    @Inject(CHANGE_HUB) private readonly changes: ChangeHub,
    private readonly clock: Clock,
    private readonly deaths: DeathAmendments,
  ) {}

  async get(caller: Caller, procedureId: string): Promise<Procedure> {
    return toProcedure(await this.readable(caller, procedureId));
  }

  /**
   * The procedure now, then again each time it changes, until it ends in any state or the
   * client goes. Pushed: a NOTIFY of the procedure's change wakes the stream (ChangeHub), which
   * then reads one integer, and the whole procedure only when that moved.
   */
  watch(caller: Caller, procedureId: string): Observable<WatchProcedureResponse> {
    return new Observable<WatchProcedureResponse>((subscriber) => {
      let seen = -1;
      let ended = false;
      const emit = (row: ProcedureRow) => {
        if (ended || row.version <= seen) return;
        seen = row.version;
        subscriber.next({ procedure: toProcedure(row) });
        if (isSettled(row.state)) {
          ended = true;
          subscriber.complete();
        }
      };
      const fail = (error: unknown) => {
        ended = true;
        subscriber.error(error);
      };
      const look = coalesced(async () => {
        if (ended || seen < 0) return;
        const version = await this.reads.versionOf(procedureId);
        if (version === undefined) throw notFound(procedureId);
        if (version !== seen) {
          const row = await this.reads.find(procedureId, 'watch');
          if (row) emit(row);
        }
      }, fail);
      // Subscribed before the first read, so that no change between the two goes unheard.
      const unsubscribe = this.changes.subscribe(WATCH_CHANNELS.procedures, procedureId, {
        onChange: look.run,
        onClose: () => fail(shuttingDown()),
      });
      this.readable(caller, procedureId).then((row) => {
        emit(row);
        look.run();
      }, fail);
      return () => {
        ended = true;
        look.stop();
        unsubscribe();
      };
    });
  }

  async list(caller: Caller, request: ListProceduresRequest): Promise<ListProceduresResponse> {
    const { filter, query, limit } = parseListProcedures(request);
    const rows = await this.reads.list(filter, limit + 1);
    const page = rows.slice(0, limit);
    await Promise.all(page.map((row) => this.audited(caller, row)));
    return {
      procedures: page.map(toProcedure),
      nextPageToken: rows.length > limit ? encodePageToken([page[page.length - 1].seq], query) : '',
    };
  }

  /** A procedure with every attempt at its steps, in order (the console's timeline). */
  async timeline(
    caller: Caller,
    procedureId: string,
  ): Promise<{ procedure: Procedure; attempts: StepAttemptRow[] }> {
    const row = await this.readable(caller, procedureId);
    return { procedure: toProcedure(row), attempts: await this.reads.attemptsOf(procedureId) };
  }

  /**
   * What waits for a person, oldest first: procedures in NEEDS_REVIEW (with the reason), those
   * awaiting an approver, and the stuck ones — meant to run, with no job left and unchanged for
   * STUCK_AFTER_SECONDS (the sweeper's view: its next sweep requeues them). Each read is audited.
   */
  async reviewQueue(
    caller: Caller,
    limit = 100,
  ): Promise<{ review: Procedure[]; approval: Procedure[]; stuck: Procedure[] }> {
    const [review, approval, stuck] = await Promise.all([
      this.reads.inStates(['NEEDS_REVIEW'], limit),
      this.reads.inStates(['AWAITING_APPROVAL'], limit),
      this.reads.stuck(PROCEDURE_TRANSITIONS.claim.from, STUCK_AFTER_SECONDS, limit),
    ]);
    await Promise.all([...review, ...approval, ...stuck].map((row) => this.audited(caller, row)));
    return {
      review: review.map(toProcedure),
      approval: approval.map(toProcedure),
      stuck: stuck.map(toProcedure),
    };
  }

  /** Procedures accepted on each of the last `days` days, by their state now (counts only). */
  stateCountsByDay(days: number): Promise<StateCountRow[]> {
    return this.reads.stateCountsByDay(days, this.clock.today());
  }

  /** How many procedures are open in each state that is not final (counts only). */
  openCounts(): Promise<Map<LinkedProcedureState, number>> {
    return this.reads.countsInStates(OPEN_STATES);
  }

  /** The procedures about one person, newest first (administrators); each read is audited. */
  async about(caller: Caller, citizenId: string, limit = 50): Promise<Procedure[]> {
    const rows = await this.reads.about(citizenId, limit);
    await Promise.all(rows.map((row) => this.audited(caller, row)));
    return rows.map(toProcedure);
  }

  async retry(caller: Caller, procedureId: string): Promise<Procedure> {
    requireProcedureId(procedureId);
    const found = await this.repository.retry(
      procedureId,
      this.config.JOB_EXPIRE_SECONDS,
      (client, state, done) => this.auditAction(client, caller, procedureId, state, done, 'retry', {}),
    );
    if (!found) throw notFound(procedureId);
    if (!found.restarted) {
      throw civilEventError(
        CivilEventErrorCode.ProcedureNotInReview,
        found.state === 'COMPLETED' || found.state === 'RESOLVED'
          ? `procedure ${procedureId} is ${found.state}; only a procedure in NEEDS_REVIEW, or one stuck without a job, can be retried`
          : `procedure ${procedureId} is ${found.state} and its step has a job (waiting, retrying or running); retry it only once it is in NEEDS_REVIEW or stuck without a job`,
        'procedure_id',
      );
    }
    return this.get(caller, procedureId);
  }

  async resolve(caller: Caller, procedureId: string, note: string): Promise<Procedure> {
    requireProcedureId(procedureId);
    const tidy = parseResolveNote(note);
    const found = await this.repository.resolve(procedureId, tidy, async (client, state, done) => {
      // A revocation of a death closed before it reinstated the records: the lookup stops saying
      // the death is being undone.
      if (done) await this.deaths.revocationClosed(client, procedureId);
      await this.auditAction(client, caller, procedureId, state, done, 'resolve', { note: tidy });
    });
    this.afterResolve(procedureId, found);
    return this.get(caller, procedureId);
  }

  /** The audit entry of an administrator's action, in the transaction of the action. */
  private auditAction(
    client: PoolClient,
    caller: Caller,
    procedureId: string,
    found: LinkedProcedureState,
    done: boolean,
    action: 'retry' | 'resolve',
    detail: Record<string, unknown>,
  ) {
    return this.audit.recordWithin(client, {
      caller,
      action: action === 'retry' ? AuditAction.ProcedureRetried : AuditAction.ProcedureResolved,
      purpose: 'linked-procedure',
      outcome: done ? 'DONE' : `REFUSED:${found}`,
      detail: { procedureId, ...detail },
    });
  }

  private afterResolve(procedureId: string, found: LinkedProcedureState | undefined) {
    if (!found) throw notFound(procedureId);
    if (found !== 'NEEDS_REVIEW') {
      throw civilEventError(
        CivilEventErrorCode.ProcedureNotInReview,
        `procedure ${procedureId} is ${found}; only a procedure in NEEDS_REVIEW can be resolved`,
        'procedure_id',
      );
    }
  }

  /** The procedure, if this caller may see it: administrators all, an office its own. */
  private async readable(caller: Caller, procedureId: string): Promise<ProcedureRow> {
    requireProcedureId(procedureId);
    const row = await this.reads.find(procedureId);
    if (!row) throw notFound(procedureId);
    if (caller.role !== 'admin' && row.office_code !== caller.officeCode) {
      throw civilEventError(
        CivilEventErrorCode.ProcedureOfAnotherOffice,
        `procedure ${procedureId} was filed by another office; this key sees office ${caller.officeCode ?? '(none)'} only`,
        'procedure_id',
      );
    }
    await this.audited(caller, row);
    return row;
  }

  /** A procedure names its person: reading it is an access to their data, in their history. */
  private audited(caller: Caller, row: ProcedureRow): Promise<unknown> {
    return this.audit.record({
      caller,
      action: AuditAction.ProcedureRead,
      subjectCitizenId: row.subject_citizen_id,
      officeCode: row.office_code,
      purpose: 'linked-procedure',
      outcome: 'READ',
      detail: { procedureId: row.procedure_id },
    });
  }
}

function notFound(procedureId: string) {
  return civilEventError(
    CivilEventErrorCode.ProcedureNotFound,
    `no procedure ${procedureId}`,
    'procedure_id',
  );
}
