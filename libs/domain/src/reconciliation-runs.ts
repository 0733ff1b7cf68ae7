import type { IsoDate } from './dates';
import { PROVINCES } from './provinces';

/**
 * The shape of a reconciliation run, shared by the gateway that starts it and the worker that
 * does it: its scope, and the partitions its key space is split into so that several workers
 * can share one run, each partition with a checkpoint of its own.
 */

/** The pg-boss queue of partition slices. */
export const RECONCILIATION_QUEUE = 'reconciliation-partition';

export type RunScope =
  | { kind: 'ALL' }
  /** Records kept by one province office (the record's own province code). */
  | { kind: 'PROVINCE'; provinceCode: string }
  /** Records changed since the date, and records of citizens the registry changed since then. */
  | { kind: 'CHANGED_SINCE'; since: IsoDate };

export type RunState = 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

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
 * about the same weight of keys (people per province, or one per code prefix).
 */
function ranges(keys: readonly { key: string; weight: number }[], count: number): [string, string][] {
  const n = Math.max(1, Math.min(count, keys.length));
  const total = keys.reduce((sum, k) => sum + k.weight, 0);
  const cuts: string[] = [];
  let running = 0;
  for (const k of keys) {
    if (cuts.length < n - 1 && running >= (total * (cuts.length + 1)) / n) cuts.push(k.key);
    running += k.weight;
  }
  const bounds = ['', ...cuts, ''];
  return bounds.slice(0, -1).map((lower, i) => [lower, bounds[i + 1]]);
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
  const add = (kind: PartitionKind, [lowerBound, upperBound]: [string, string]) =>
    plans.push({ partitionNo: plans.length, kind, lowerBound, upperBound });
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
