import {
  type ApplyFindingsRequest,
  type ListFindingsRequest,
  type ListRunsRequest,
  Outcome,
  type RunScope as RunScopeMessage,
  RunState,
  type StartRunRequest,
} from '@vss/contracts';
import { isProvinceCode, parseIsoDate, UUID_PATTERN } from '@vss/domain';
import { decodePageToken, enumCodec, pageTokenMessage } from '@vss/platform';
import { RECONCILIATION_OUTCOMES, type ReconciliationOutcome } from '@vss/domain/reconciliation';
import type { RunScope, RunState as StoredRunState } from '@vss/domain/reconciliation-runs';
import { ReconciliationErrorCode, reconciliationError } from './reconciliation.errors';

/** Outcomes an administrator can accept; the others need a person's decision per record. */
export const APPLICABLE_OUTCOMES: readonly ReconciliationOutcome[] = [
  'MATCHED_AFTER_NORMALIZATION',
  'FIELD_MISMATCH',
  'LEGACY_ID_RESOLVED',
  'DECEASED_BUT_ACTIVE',
];

const MAX_PAGE = 5000;

function invalid(field: string, message: string) {
  return reconciliationError(ReconciliationErrorCode.InvalidField, `${field}: ${message}`, field);
}

/** The scope of StartRun: exactly one of all, province_code, changed_since. */
export function parseScope(message: RunScopeMessage | undefined, today: string): RunScope {
  const provinceCode = message?.provinceCode ?? '';
  const changedSince = message?.changedSince ?? '';
  const chosen = [message?.all === true, provinceCode !== '', changedSince !== ''].filter(Boolean).length;
  if (chosen !== 1) {
    throw reconciliationError(
      ReconciliationErrorCode.InvalidScope,
      'scope: set exactly one of all, province_code (e.g. 001) or changed_since (YYYY-MM-DD)',
      'scope',
    );
  }
  if (provinceCode) {
    if (!isProvinceCode(provinceCode)) {
      throw reconciliationError(
        ReconciliationErrorCode.InvalidScope,
        `scope.province_code ${JSON.stringify(provinceCode)} is not one of the 63 province codes (001 Hà Nội … 096 Cà Mau)`,
        'scope.province_code',
      );
    }
    return { kind: 'PROVINCE', provinceCode };
  }
  if (changedSince) {
    const date = parseIsoDate(changedSince);
    if (!date.ok) {
      throw reconciliationError(
        ReconciliationErrorCode.InvalidScope,
        `scope.changed_since: ${date.error.message}`,
        'scope.changed_since',
      );
    }
    if (date.value > today) {
      throw reconciliationError(
        ReconciliationErrorCode.InvalidScope,
        `scope.changed_since ${date.value} is in the future (today is ${today})`,
        'scope.changed_since',
      );
    }
    return { kind: 'CHANGED_SINCE', since: date.value };
  }
  return { kind: 'ALL' };
}

export function scopeMessage(scope: RunScope): RunScopeMessage {
  switch (scope.kind) {
    case 'ALL':
      return { all: true };
    case 'PROVINCE':
      return { provinceCode: scope.provinceCode };
    case 'CHANGED_SINCE':
      return { changedSince: scope.since };
  }
}

export function requireRunId(value: string | undefined): string {
  const runId = (value ?? '').trim();
  if (!UUID_PATTERN.test(runId)) {
    throw reconciliationError(
      ReconciliationErrorCode.InvalidRunId,
      `run_id ${JSON.stringify(runId)} is not a run ID (a UUID, as StartRun returned it)`,
      'run_id',
    );
  }
  return runId.toLowerCase();
}

const OUTCOME = {
  MATCHED: Outcome.OUTCOME_MATCHED,
  MATCHED_AFTER_NORMALIZATION: Outcome.OUTCOME_MATCHED_AFTER_NORMALIZATION,
  FIELD_MISMATCH: Outcome.OUTCOME_FIELD_MISMATCH,
  LEGACY_ID_RESOLVED: Outcome.OUTCOME_LEGACY_ID_RESOLVED,
  NOT_IN_REGISTRY: Outcome.OUTCOME_NOT_IN_REGISTRY,
  DECEASED_BUT_ACTIVE: Outcome.OUTCOME_DECEASED_BUT_ACTIVE,
  DUPLICATE_PARTICIPANT: Outcome.OUTCOME_DUPLICATE_PARTICIPANT,
  MISSING_ID_CANDIDATE: Outcome.OUTCOME_MISSING_ID_CANDIDATE,
} as const satisfies Record<ReconciliationOutcome, Outcome>;

const RUN_STATE = {
  QUEUED: RunState.RUN_STATE_QUEUED,
  RUNNING: RunState.RUN_STATE_RUNNING,
  COMPLETED: RunState.RUN_STATE_COMPLETED,
  CANCELLED: RunState.RUN_STATE_CANCELLED,
  FAILED: RunState.RUN_STATE_FAILED,
} as const satisfies Record<StoredRunState, RunState>;

const OUTCOMES = enumCodec(OUTCOME);
const RUN_STATES = enumCodec(RUN_STATE);

/** An outcome named by its proto value (or, from the CLI and the JSON of tools, its bare name). */
export function outcomeOf(value: Outcome | string, field = 'outcomes'): ReconciliationOutcome {
  const name =
    OUTCOMES.fromWire(String(value)) ??
    (RECONCILIATION_OUTCOMES as readonly string[]).find((o) => o === String(value));
  if (!name) {
    throw reconciliationError(
      ReconciliationErrorCode.InvalidOutcome,
      `${field}: ${String(value)} is not an outcome; one of ${RECONCILIATION_OUTCOMES.join(', ')}`,
      field,
    );
  }
  return name as ReconciliationOutcome;
}

export function outcomeMessage(outcome: ReconciliationOutcome): Outcome {
  return OUTCOMES.toWire(outcome);
}

export function runStateMessage(state: StoredRunState): RunState {
  return RUN_STATES.toWire(state);
}

/** ListRuns' state filter; UNSPECIFIED means every state. */
export function runStateFilter(state: RunState | undefined): StoredRunState | undefined {
  if (!state || state === RunState.RUN_STATE_UNSPECIFIED) return undefined;
  const stored = RUN_STATES.fromWire(String(state));
  if (!stored) throw invalid('state', `${String(state)} is not a run state`);
  return stored;
}

export function pageSizeOf(value: number | undefined, fallback: number, field = 'page_size'): number {
  const n = value ?? 0;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE)
    throw invalid(field, `must be 0 (meaning ${fallback}) to ${MAX_PAGE}`);
  return n === 0 ? fallback : n;
}

// A run's position in the listing: created_at to the microsecond as PostgreSQL prints it, and its ID.
const CREATED_KEY = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

/** ListRuns: the page size, the state filter (the filter its page token is bound to), the keyset position. */
export function parseListRuns(request: Partial<ListRunsRequest>): {
  limit: number;
  state: StoredRunState | undefined;
  filter: { state: StoredRunState | null };
  after?: { createdAt: string; runId: string };
} {
  const limit = pageSizeOf(request.pageSize, 50);
  const state = runStateFilter(request.state);
  const filter = { state: state ?? null };
  if (!request.pageToken) return { limit, state, filter };
  const decoded = decodePageToken(request.pageToken, { filter, shape: [CREATED_KEY, UUID_PATTERN] });
  if (!decoded.ok) {
    throw reconciliationError(
      ReconciliationErrorCode.InvalidPageToken,
      pageTokenMessage(decoded.problem),
      'page_token',
    );
  }
  return { limit, state, filter, after: { createdAt: decoded.position[0], runId: decoded.position[1] } };
}

/** The request of GetRun, CancelRun and WatchRun: one run's ID. */
export function checkRunRequest(request: { runId?: string }): void {
  requireRunId(request.runId);
}

/** StartRun's checks that need no database. */
export function checkStartRun(request: Partial<StartRunRequest>, today: string): void {
  parseScope(request.scope, today);
}

export interface FindingsQuery {
  runId: string;
  outcomes: ReconciliationOutcome[];
  provinceCode: string | null;
  after: string;
  pageSize: number;
  limit: number;
}

export function parseFindingsQuery(request: ListFindingsRequest): FindingsQuery {
  const outcomes = [...new Set((request.outcomes ?? []).map((o) => outcomeOf(o)))];
  if (outcomes.includes('MATCHED')) {
    throw reconciliationError(
      ReconciliationErrorCode.InvalidOutcome,
      'outcomes: a clean MATCHED writes no finding; ask for the outcomes that do',
      'outcomes',
    );
  }
  const provinceCode = (request.provinceCode ?? '').trim();
  if (provinceCode && !isProvinceCode(provinceCode)) {
    throw invalid('province_code', `${JSON.stringify(provinceCode)} is not one of the 63 province codes`);
  }
  const after = (request.after ?? '').trim();
  if (after && !/^[0-9]{1,18}$/.test(after)) {
    throw reconciliationError(
      ReconciliationErrorCode.InvalidPageToken,
      `after ${JSON.stringify(after)} is not a cursor this service returned`,
      'after',
    );
  }
  const limit = request.limit ?? 0;
  if (!Number.isInteger(limit) || limit < 0) throw invalid('limit', 'must be 0 (all) or more');
  return {
    runId: requireRunId(request.runId),
    outcomes,
    provinceCode: provinceCode || null,
    after: after || '0',
    pageSize: pageSizeOf(request.pageSize, 500),
    limit,
  };
}

export interface ApplyQuery {
  runId: string;
  outcomes: ReconciliationOutcome[];
  findingIds: string[];
}

export function parseApplyQuery(request: ApplyFindingsRequest): ApplyQuery {
  const outcomes = [...new Set((request.outcomes ?? []).map((o) => outcomeOf(o)))];
  if (outcomes.length === 0) {
    throw reconciliationError(
      ReconciliationErrorCode.OutcomeNotApplicable,
      `outcomes: choose the outcomes to apply, from ${APPLICABLE_OUTCOMES.join(', ')}`,
      'outcomes',
    );
  }
  const refused = outcomes.filter((o) => !APPLICABLE_OUTCOMES.includes(o));
  if (refused.length > 0) {
    throw reconciliationError(
      ReconciliationErrorCode.OutcomeNotApplicable,
      `outcomes: ${refused.join(', ')} cannot be applied automatically (a person must decide each record); applicable: ${APPLICABLE_OUTCOMES.join(', ')}`,
      'outcomes',
    );
  }
  const findingIds = [...new Set((request.findingIds ?? []).map((id) => id.trim()))];
  const bad = findingIds.find((id) => !/^[0-9]{1,18}$/.test(id));
  if (bad !== undefined) throw invalid('finding_ids', `${JSON.stringify(bad)} is not a finding ID`);
  return { runId: requireRunId(request.runId), outcomes, findingIds };
}
