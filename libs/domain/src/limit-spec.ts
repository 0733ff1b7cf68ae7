import type { Role } from './roles';

/**
 * What one caller may use. Rates and counts are for the whole fleet of gateways: each process
 * enforces its share (see CallerLimits). `undefined` means no limit.
 */
export interface LimitSpec {
  /** Lookups per second, refilled continuously (a batch counts its IDs; any other call counts 1). */
  rate: number | undefined;
  /** Lookups that may be spent at once: the bucket's size. At least one full batch (500). */
  burst: number | undefined;
  /** Lookups per calendar day (Asia/Ho_Chi_Minh), across the fleet. */
  daily: number | undefined;
  /** Calls in flight at once, streams included. */
  calls: number | undefined;
  /** Streams (WatchProcedure, WatchRun) open at once. */
  streams: number | undefined;
  /** Longest life of one stream, in seconds; the client reopens it. */
  streamSeconds: number | undefined;
}

export type LimitName = keyof LimitSpec;

/** The spelling of each limit in configuration and on the CLI. */
export const LIMIT_WORDS: Record<LimitName, string> = {
  rate: 'rate',
  burst: 'burst',
  daily: 'daily',
  calls: 'calls',
  streams: 'streams',
  streamSeconds: 'stream-seconds',
};

const BY_WORD = new Map(Object.entries(LIMIT_WORDS).map(([name, word]) => [word, name as LimitName]));

/**
 * The defaults of each role, fitted to its callers: a clinic's reception makes a few lookups a
 * minute and a hospital's batch a few hundred an hour, so a clinic may spend one full batch at
 * once and then 20 lookups a second, 10,000 a day; a civil-registry office files events (a
 * backlog of a few hundred at once) and watches their procedures; administrators read in bulk but are few. The registry's own peer
 * certificates are not gateway callers.
 */
export const ROLE_DEFAULTS: Record<Role, LimitSpec> = {
  clinic: { rate: 20, burst: 500, daily: 10_000, calls: 32, streams: 4, streamSeconds: 3600 },
  // An office's filings a day (its keys together): a commune files a few; a province's
  // department of justice a few hundred.
  'civil-registry': { rate: 50, burst: 500, daily: 1000, calls: 32, streams: 200, streamSeconds: 3600 },
  // An operator's searches of people by name (FindCandidates) a day, their keys together.
  admin: { rate: 100, burst: 1000, daily: 2000, calls: 64, streams: 100, streamSeconds: 3600 },
  'registry-peer': { rate: 20, burst: 100, daily: undefined, calls: 16, streams: 4, streamSeconds: 3600 },
};

export class LimitSpecError extends Error {}

/**
 * Reads `rate=20,burst=500,daily=off,…` over a base: the limits it names replace the base's,
 * `off` removes one. Throws LimitSpecError naming the part at fault.
 */
export function parseLimitSpec(text: string, base: LimitSpec): LimitSpec {
  const spec: LimitSpec = { ...base };
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const part of parts) {
    const match = /^([a-z-]+)\s*=\s*(\S+)$/.exec(part);
    if (!match) throw new LimitSpecError(`"${part}" is not limit=value (e.g. rate=20)`);
    const [, word, value] = match;
    const name = BY_WORD.get(word);
    if (!name) {
      throw new LimitSpecError(`"${word}" is not a limit; known: ${Object.values(LIMIT_WORDS).join(', ')}`);
    }
    spec[name] = parseValue(name, value);
  }
  return checkSpec(spec);
}

function parseValue(name: LimitName, value: string): number | undefined {
  if (value === 'off') return undefined;
  const number = Number(value);
  const fractional = name === 'rate';
  if (!Number.isFinite(number) || number <= 0 || (!fractional && !Number.isInteger(number))) {
    throw new LimitSpecError(
      `${LIMIT_WORDS[name]}=${value}: must be ${fractional ? 'a positive number' : 'a positive whole number'} or off`,
    );
  }
  return number;
}

/** A rate needs a bucket to spend from and the other way round. */
function checkSpec(spec: LimitSpec): LimitSpec {
  if ((spec.rate === undefined) !== (spec.burst === undefined)) {
    throw new LimitSpecError('rate and burst go together: set both or turn both off');
  }
  return spec;
}

/** The spec as text, the form parseLimitSpec reads. */
export function formatLimitSpec(spec: LimitSpec): string {
  return (Object.keys(LIMIT_WORDS) as LimitName[])
    .map((name) => `${LIMIT_WORDS[name]}=${spec[name] ?? 'off'}`)
    .join(',');
}

/**
 * One process's share of a fleet-wide limit when `gateways` serve: rounded up, so that a
 * limit of 1 stays usable; the fleet may then exceed it by less than one per gateway.
 */
export function shareOf(limit: number | undefined, gateways: number, fractional = false): number | undefined {
  if (limit === undefined) return undefined;
  const share = limit / Math.max(1, gateways);
  return fractional ? share : Math.max(1, Math.ceil(share));
}
