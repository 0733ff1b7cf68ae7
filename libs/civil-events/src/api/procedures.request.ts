import {
  type ListProceduresRequest,
  ProcedureKind,
  ProcedureState,
  type ResolveProcedureRequest,
} from '@vss/contracts';
import { parseIsoDate, UUID_PATTERN } from '@vss/domain';
import type { LinkedProcedureKind, LinkedProcedureState } from '@vss/domain/linked-procedures';
import { decodePageToken, pageTokenMessage } from '@vss/platform';
import { CivilEventErrorCode, civilEventError, invalidField } from '../civil-events.errors';
import type { ProcedureFilter } from '../procedure-reads.repository';
import { storedKind, storedState } from '../procedure.codecs';

/** The requests of the procedures' RPCs, checked without the database (INVALID_ARGUMENT naming the field). */

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;
const MAX_NOTE = 2000;

export function requireProcedureId(procedureId: string | undefined): string {
  if (!UUID_PATTERN.test(procedureId ?? '')) {
    throw invalidField('procedure_id', `${JSON.stringify(procedureId ?? '')} is not a procedure ID (a UUID)`);
  }
  return procedureId!;
}

/** The request of GetProcedure, WatchProcedure, RetryProcedure: one procedure's ID. */
export function checkProcedureRequest(request: { procedureId?: string }): void {
  requireProcedureId(request.procedureId);
}

/** The note of ResolveProcedure, its white space tidied: required, at most 2,000 characters. */
export function parseResolveNote(note: string | undefined): string {
  const tidy = (note ?? '').replace(/\s+/gu, ' ').trim();
  if (tidy === '') throw invalidField('note', 'is required: say what was done about the procedure');
  if (tidy.length > MAX_NOTE)
    throw invalidField('note', `is ${tidy.length} characters long; at most ${MAX_NOTE}`);
  return tidy;
}

export function checkResolveRequest(request: Partial<ResolveProcedureRequest>): void {
  requireProcedureId(request.procedureId);
  parseResolveNote(request.note);
}

/** ListProcedures: its filter, the filter its page token is bound to, and the page size. */
export function parseListProcedures(request: Partial<ListProceduresRequest>): {
  filter: ProcedureFilter;
  query: ProcedureFilter;
  limit: number;
} {
  const pageSize = request.pageSize ?? 0;
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > MAX_PAGE) {
    throw invalidField('page_size', `must be 0 (meaning ${DEFAULT_PAGE}) to ${MAX_PAGE}`);
  }
  const filter: ProcedureFilter = {
    state: stateFilter(request.state),
    kind: kindFilter(request.kind),
    officeCode: request.officeCode?.trim() || undefined,
    acceptedFrom: optionalDate(request.acceptedFrom, 'accepted_from'),
    acceptedTo: optionalDate(request.acceptedTo, 'accepted_to'),
  };
  const query = { ...filter };
  if (request.pageToken) filter.beforeSeq = decodeToken(request.pageToken, query);
  return { filter, query, limit: pageSize || DEFAULT_PAGE };
}

function optionalDate(value: string | undefined, field: string): string | undefined {
  if (!value) return undefined;
  const parsed = parseIsoDate(value);
  if (!parsed.ok) throw invalidField(field, parsed.error.message);
  return parsed.value;
}

const SEQ = /^[0-9]{1,18}$/;

function decodeToken(token: string, filter: ProcedureFilter): string {
  const decoded = decodePageToken(token, { filter, shape: [SEQ] });
  if (!decoded.ok) {
    throw civilEventError(CivilEventErrorCode.InvalidField, pageTokenMessage(decoded.problem), 'page_token');
  }
  return decoded.position[0];
}

function stateFilter(state: ProcedureState | undefined): LinkedProcedureState | undefined {
  if (state === undefined || state === ProcedureState.PROCEDURE_STATE_UNSPECIFIED) return undefined;
  const stored = storedState(state);
  if (!stored) throw invalidField('state', `${String(state)} is not a procedure state`);
  return stored;
}

function kindFilter(kind: ProcedureKind | undefined): LinkedProcedureKind | undefined {
  if (kind === undefined || kind === ProcedureKind.PROCEDURE_KIND_UNSPECIFIED) return undefined;
  const stored = storedKind(kind);
  if (!stored) throw invalidField('kind', `${String(kind)} is not a procedure kind`);
  return stored;
}
