import { VIETNAM_OFFSET_MS } from '@vss/domain';
import type { Caller, Role } from '@vss/security';

const DAY_MS = 86_400_000;

/** What a role's daily quota counts. */
export const QUOTA_UNIT: Record<Role, string> = {
  clinic: 'lookups',
  'civil-registry': 'filings',
  admin: 'person searches',
  'registry-peer': 'calls',
};

/**
 * Whose daily quota a call spends: a clinic's facility, a civil registry's office, an admin
 * credential's operator — all their credentials together, so that five keys of one hospital
 * are not five quotas — else the credential itself.
 */
export function quotaKeyOf(caller: Caller): string {
  if (caller.role === 'clinic' && caller.facilityCode) return `facility:${caller.facilityCode}`;
  if (caller.role === 'civil-registry' && caller.officeCode) return `office:${caller.officeCode}`;
  if (caller.operator) return `operator:${caller.operator.login}`;
  return caller.id;
}

/** Whose quota it is, in a refusal's words. */
export function quotaHolderOf(caller: Caller): string {
  if (caller.role === 'clinic' && caller.facilityCode)
    return `facility ${caller.facilityCode} (all its keys)`;
  if (caller.role === 'civil-registry' && caller.officeCode)
    return `office ${caller.officeCode} (all its keys)`;
  if (caller.operator) return `operator ${caller.operator.login}`;
  return 'this key';
}

/** Seconds until a quota's day ends: calendar days are Vietnam's (UTC+7, no daylight saving). */
export function secondsToNextDay(): number {
  const local = Date.now() + VIETNAM_OFFSET_MS;
  return Math.ceil((DAY_MS - (local % DAY_MS)) / 1000);
}
