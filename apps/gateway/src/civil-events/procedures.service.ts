import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Observable } from 'rxjs';
import type {
  ListProceduresRequest,
  ListProceduresResponse,
  Procedure,
  WatchProcedureResponse,
} from '@vss/contracts';
import { parseIsoDate } from '@vss/domain';
import { isSettled, type LinkedProcedureState } from '@vss/domain/linked-procedures';
import type { GatewayConfig } from '@vss/platform';
import { AuditTrail, type Caller } from '@vss/security';
import { GATEWAY_CONFIG } from '../core/tokens';
import { CivilEventErrorCode, civilEventError, invalidField } from './civil-events.errors';
import { CivilEventsRepository, type ProcedureFilter } from './civil-events.repository';
import { type ProcedureRow, storedKind, storedState, toProcedure } from './procedure.mapper';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;
const MAX_NOTE = 2000;

/** Reading procedures, following them as they run, and the administrators' actions on them. */
@Injectable()
export class ProceduresService {
  constructor(
    private readonly repository: CivilEventsRepository,
    private readonly audit: AuditTrail,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async get(caller: Caller, procedureId: string): Promise<Procedure> {
    return toProcedure(await this.readable(caller, procedureId));
  }

  /**
   * The procedure now, then again each time it changes, until it settles or the client goes.
   * Polls one integer per procedure; the full procedure is read only when it has changed.
   */
  watch(caller: Caller, procedureId: string): Observable<WatchProcedureResponse> {
    const pollMs = this.config.PROCEDURE_WATCH_POLL_MS;
    return new Observable<WatchProcedureResponse>((subscriber) => {
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      let seen = -1;
      const emit = (row: ProcedureRow) => {
        seen = row.version;
        subscriber.next({ procedure: toProcedure(row) });
        if (isSettled(row.state)) {
          stopped = true;
          subscriber.complete();
        }
      };
      const poll = async () => {
        const version = await this.repository.versionOf(procedureId);
        if (version !== undefined && version !== seen) {
          const row = await this.repository.find(procedureId);
          if (row) emit(row);
        }
      };
      const loop = (first: boolean) => {
        (first ? this.readable(caller, procedureId).then(emit) : poll()).then(
          () => {
            if (!stopped) timer = setTimeout(() => loop(false), pollMs);
          },
          (error: unknown) => subscriber.error(error),
        );
      };
      loop(true);
      return () => {
        stopped = true;
        if (timer) clearTimeout(timer);
      };
    });
  }

  async list(request: ListProceduresRequest): Promise<ListProceduresResponse> {
    const pageSize = request.pageSize ?? 0;
    if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > MAX_PAGE) {
      throw invalidField('page_size', `must be 0 (meaning ${DEFAULT_PAGE}) to ${MAX_PAGE}`);
    }
    const filter: ProcedureFilter = {
      state: storedState(request.state),
      kind: storedKind(request.kind),
      officeCode: request.officeCode?.trim() || undefined,
      acceptedFrom: optionalDate(request.acceptedFrom, 'accepted_from'),
      acceptedTo: optionalDate(request.acceptedTo, 'accepted_to'),
    };
    const query = queryKey(filter);
    if (request.pageToken) filter.beforeSeq = decodeToken(request.pageToken, query);
    const limit = pageSize || DEFAULT_PAGE;
    const rows = await this.repository.list(filter, limit + 1);
    const page = rows.slice(0, limit);
    return {
      procedures: page.map(toProcedure),
      nextPageToken: rows.length > limit ? encodeToken(page[page.length - 1].seq, query) : '',
    };
  }

  async retry(caller: Caller, procedureId: string): Promise<Procedure> {
    requireId(procedureId);
    const found = await this.repository.retry(procedureId, this.config.JOB_EXPIRE_SECONDS);
    await this.afterAction(caller, procedureId, found, 'retry', {});
    return this.get(caller, procedureId);
  }

  async resolve(caller: Caller, procedureId: string, note: string): Promise<Procedure> {
    requireId(procedureId);
    const tidy = (note ?? '').replace(/\s+/gu, ' ').trim();
    if (tidy === '') throw invalidField('note', 'is required: say what was done about the procedure');
    if (tidy.length > MAX_NOTE)
      throw invalidField('note', `is ${tidy.length} characters long; at most ${MAX_NOTE}`);
    const found = await this.repository.resolve(procedureId, tidy);
    await this.afterAction(caller, procedureId, found, 'resolve', { note: tidy });
    return this.get(caller, procedureId);
  }

  private async afterAction(
    caller: Caller,
    procedureId: string,
    found: LinkedProcedureState | undefined,
    action: 'retry' | 'resolve',
    detail: Record<string, unknown>,
  ): Promise<void> {
    if (!found) throw notFound(procedureId);
    const done = found === 'NEEDS_REVIEW';
    await this.audit.record({
      caller,
      action: `civil-event.procedure.${action}`,
      purpose: 'linked-procedure',
      outcome: done ? 'DONE' : `REFUSED:${found}`,
      detail: { procedureId, ...detail },
    });
    if (!done) {
      throw civilEventError(
        CivilEventErrorCode.ProcedureNotInReview,
        `procedure ${procedureId} is ${found}; only a procedure in NEEDS_REVIEW can be ${action === 'retry' ? 'retried' : 'resolved'}`,
        'procedure_id',
      );
    }
  }

  /** The procedure, if this caller may see it: administrators all, an office its own. */
  private async readable(caller: Caller, procedureId: string): Promise<ProcedureRow> {
    requireId(procedureId);
    const row = await this.repository.find(procedureId);
    if (!row) throw notFound(procedureId);
    if (caller.role !== 'admin' && row.office_code !== caller.officeCode) {
      throw civilEventError(
        CivilEventErrorCode.ProcedureOfAnotherOffice,
        `procedure ${procedureId} was filed by another office; this key sees office ${caller.officeCode ?? '(none)'} only`,
        'procedure_id',
      );
    }
    return row;
  }
}

function requireId(procedureId: string): void {
  if (!UUID.test(procedureId ?? '')) {
    throw invalidField('procedure_id', `${JSON.stringify(procedureId ?? '')} is not a procedure ID (a UUID)`);
  }
}

function notFound(procedureId: string) {
  return civilEventError(
    CivilEventErrorCode.ProcedureNotFound,
    `no procedure ${procedureId}`,
    'procedure_id',
  );
}

function optionalDate(value: string | undefined, field: string): string | undefined {
  if (!value) return undefined;
  const parsed = parseIsoDate(value);
  if (!parsed.ok) throw invalidField(field, parsed.error.message);
  return parsed.value;
}

// A page token names the last procedure shown and the query it belongs to, so that a token
// reused with other filters is refused instead of silently skipping procedures.
function queryKey(filter: ProcedureFilter): string {
  return createHash('sha256').update(JSON.stringify(filter)).digest('base64url').slice(0, 16);
}

function encodeToken(seq: string, query: string): string {
  return Buffer.from(JSON.stringify({ s: seq, q: query })).toString('base64url');
}

function decodeToken(token: string, query: string): string {
  let parsed: { s?: unknown; q?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidField('page_token', 'is not a token this service issued');
  }
  if (typeof parsed?.s !== 'string' || !/^[0-9]{1,19}$/.test(parsed.s)) {
    throw invalidField('page_token', 'is not a token this service issued');
  }
  if (parsed.q !== query) {
    throw invalidField('page_token', 'belongs to a listing with other filters; start again without it');
  }
  return parsed.s;
}
