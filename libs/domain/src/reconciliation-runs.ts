import type { IsoDate } from './dates';
import { PROVINCES } from './provinces';
import type { TransitionTable } from './transitions';

/**
 * The shape of a reconciliation run, shared by the gateway that starts it and the worker that
 * does it: its scope, and the partitions its key space is split into so that several workers
 * can share one run, each partition with a checkpoint of its own.
 */

/** The pg-boss queue of partition slices. */
export const RECONCILIATION_QUEUE = 'reconciliation-partition';

/** The pg-boss queue of applications of findings (the gateway queues, the worker applies). */
export const FINDINGS_APPLY_QUEUE = 'reconciliation-apply';

/**
 * Retries of an application's job by the queue (its worker died, or the database was away): it
 * resumes from its checkpoint each time; the sweeper gives it new jobs after these are spent.
 */
export const FINDINGS_APPLY_QUEUE_RETRY = Object.freeze({
  retryLimit: 10,
  retryDelay: 1,
  retryBackoff: true,
});

export type RunScope =
  | { kind: 'ALL' }
  /** Records kept by one province office (the record's own province code). */
  | { kind: 'PROVINCE'; provinceCode: string }
  /** Records changed since the date, and records of citizens the registry changed since then. */
  | { kind: 'CHANGED_SINCE'; since: IsoDate };

export type RunState = 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

/** How a run's state changes, and only so (runs.repository.ts writes each through its name). */
export const RUN_TRANSITIONS = {
  /** The first of its partitions' loops counts the scope's records and starts it. */
  start: { from: ['QUEUED'], to: ['RUNNING'] },
  /** Every partition done and the records without an ID finished: the run completes. */
  complete: { from: ['RUNNING'], to: ['COMPLETED'] },
  /** An administrator stops it; the workers see it at their next chunk and write nothing more. */
  cancel: { from: ['QUEUED', 'RUNNING'], to: ['CANCELLED'] },
  /** Its jobs failed for good, or the sweeper gave up on a partition that lost its job too often. */
  fail: { from: ['QUEUED', 'RUNNING'], to: ['FAILED'] },
} as const satisfies TransitionTable<RunState>;

export type RunTransition = keyof typeof RUN_TRANSITIONS;

/** States in which a run holds its scope (one such run a scope) and the sweeper looks after it. */
export const ACTIVE_RUN_STATES: readonly RunState[] = ['QUEUED', 'RUNNING'];

/**
 * - REGISTRY_RANGE: the registry's export of a citizen-ID range, merged with our records of the
 *   same range (a whole-population run);
 * - RECORDS: our records of a social-insurance-code range that fall in the scope, their
 *   citizens fetched in batches (a province or changed-since run);
 * - CHANGED_CITIZENS: the registry's citizens changed since a date in a citizen-ID range, with
 *   our records of them that RECORDS did not already cover.
 */
export type PartitionKind = 'REGISTRY_RANGE' | 'RECORDS' | 'CHANGED_CITIZENS';

export type PartitionPlan = {
  partitionNo: number;
  kind: PartitionKind;
  /** Exclusive lower key ('' = open): a prefix works, as '031' sorts before every '031…' ID. */
  lowerBound: string;
  /** Exclusive upper key ('' = open). */
  upperBound: string;
  /** The partition's share of its kind's work (of the population, or of the codes): 0 to 1. */
  share: number;
};

/** The scope as one text, the key of "one run per scope at a time". */
export function scopeKey(scope: RunScope): string {
  switch (scope.kind) {
    case 'ALL':
      return 'ALL:';
    case 'PROVINCE':
      return `PROVINCE:${scope.provinceCode}`;
    case 'CHANGED_SINCE':
      return `CHANGED_SINCE:${scope.since}`;
  }
}

/**
 * Splits sorted keys into `count` contiguous ranges covering the whole key space, each holding
 * about the same weight of keys (people per province, or one per code prefix): each cut is the
 * key boundary nearest its share of the total. (Cutting at the first key past each share put
 * 30 % of the country in one of four partitions and 16 % in another.) Answers each range with
 * its share of the weight.
 */
function ranges(
  keys: readonly { key: string; weight: number }[],
  count: number,
): { bounds: [string, string]; share: number }[] {
  const n = Math.max(1, Math.min(count, keys.length));
  const before: number[] = [];
  let total = 0;
  for (const k of keys) {
    before.push(total);
    total += k.weight;
  }
  before.push(total);
  // cuts[j]: the index of the first key of range j + 1; each range keeps at least one key.
  const cuts: number[] = [];
  for (let j = 1, from = 1; j < n; j += 1) {
    const target = (total * j) / n;
    let best = from;
    for (let i = from + 1; i <= keys.length - (n - j); i += 1) {
      if (Math.abs(before[i] - target) < Math.abs(before[best] - target)) best = i;
    }
    cuts.push(best);
    from = best + 1;
  }
  const starts = [0, ...cuts, keys.length];
  return starts.slice(0, -1).map((start, i) => ({
    bounds: [i === 0 ? '' : keys[start].key, i === n - 1 ? '' : keys[starts[i + 1]].key],
    share: total > 0 ? (before[starts[i + 1]] - before[start]) / total : 1 / n,
  }));
}

const PROVINCE_KEYS = [...PROVINCES]
  .sort((a, b) => (a.code < b.code ? -1 : 1))
  .map((p) => ({ key: p.code, weight: p.populationThousands }));
const CODE_KEYS = Array.from({ length: 100 }, (_, i) => ({ key: String(i).padStart(2, '0'), weight: 1 }));

/**
 * The partitions of a run: citizen-ID ranges cut at province prefixes (the province of birth
 * registration leads every citizen ID) into equal shares of the population, or social-insurance-code
 * ranges cut at two-digit prefixes.
 * The first range is open below and the last open above, so no key falls outside.
 */
export function planPartitions(scope: RunScope, count: number): PartitionPlan[] {
  const plans: PartitionPlan[] = [];
  const add = (
    kind: PartitionKind,
    { bounds: [lowerBound, upperBound], share }: ReturnType<typeof ranges>[number],
  ) => plans.push({ partitionNo: plans.length, kind, lowerBound, upperBound, share });
  if (scope.kind === 'ALL') {
    for (const r of ranges(PROVINCE_KEYS, count)) add('REGISTRY_RANGE', r);
    return plans;
  }
  for (const r of ranges(CODE_KEYS, count)) add('RECORDS', r);
  if (scope.kind === 'CHANGED_SINCE') {
    for (const r of ranges(PROVINCE_KEYS, count)) add('CHANGED_CITIZENS', r);
  }
  return plans;
}

/** True when a key lies in a partition's range (both bounds exclusive, '' open). */
export function inRange(key: string, lowerBound: string, upperBound: string): boolean {
  return key > lowerBound && (upperBound === '' || key < upperBound);
}

export type RunProgress = { recordsPerSecond: number; etaSeconds: number };

/** Speed since the run started and the time left at that speed; 0 when unknown or done. */
export function runProgress(input: {
  processed: number;
  total: number | null;
  startedAtMs: number | null;
  nowMs: number;
  finished: boolean;
}): RunProgress {
  const { processed, total, startedAtMs, nowMs, finished } = input;
  if (startedAtMs === null || nowMs <= startedAtMs) return { recordsPerSecond: 0, etaSeconds: 0 };
  const recordsPerSecond = processed / ((nowMs - startedAtMs) / 1000);
  if (finished || total === null || recordsPerSecond <= 0 || processed >= total) {
    return { recordsPerSecond, etaSeconds: 0 };
  }
  return { recordsPerSecond, etaSeconds: Math.ceil((total - processed) / recordsPerSecond) };
}
