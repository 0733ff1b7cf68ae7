/**
 * Loaded into the benchmarked gateway with `node --require` (bench:lookup --without PART,…): takes
 * a part of the lookup away, to measure what the lookup would reach without it. A ceiling to
 * reason with, never a way to run: the gateway it makes breaks a rule of the product, and the
 * benchmark says so as it starts. Nothing of this is in the apps.
 *
 * - `audit-entry`: a lookup's audit entry is not written; the answer carries a receipt of zeros.
 * - `presence`: the registry's answer on whether an ID exists is kept for the process's life, so
 *   each unknown ID asks the registry once.
 */
import { v7 as uuidv7 } from 'uuid';
import type { RegistryAnswer } from '@vss/domain';
import { AuditAction } from '../../libs/audit/src/audit-actions';
import { type AuditEntry, type AuditReceipt, AuditTrail } from '../../libs/audit/src/audit-trail';
import { IdentityCheck } from '../../libs/coverage/src/identity-check';

const without = new Set((process.env.BENCH_WITHOUT ?? '').split(',').filter(Boolean));

if (without.has('audit-entry')) {
  const record = AuditTrail.prototype.record;
  AuditTrail.prototype.record = function (this: AuditTrail, entry: AuditEntry): Promise<AuditReceipt> {
    if (entry.action !== AuditAction.CoverageLookup) return record.call(this, entry);
    return Promise.resolve({ eventId: uuidv7(), seq: '0', hash: '0'.repeat(64) });
  };
}

if (without.has('presence')) {
  const presence = IdentityCheck.prototype.presence;
  const kept = new Map<string, RegistryAnswer>();
  IdentityCheck.prototype.presence = async function (
    this: IdentityCheck,
    citizenIds: readonly string[],
  ): Promise<RegistryAnswer[]> {
    if (citizenIds.every((id) => kept.has(id))) return citizenIds.map((id) => kept.get(id)!);
    const answers = await presence.call(this, citizenIds);
    answers.forEach((answer, i) => answer !== 'UNREACHABLE' && kept.set(citizenIds[i], answer));
    return answers;
  };
}
