import type { Command } from 'commander';
import { AuditAction, AuditTrail } from '@vss/audit';
import { OperatorsRepository } from '@vss/authority';
import { parseIsoDate } from '@vss/domain';
import { FuneralPayoutsRepository } from '@vss/insurance-records';
import { withTransaction } from '@vss/platform';
import { withDatabase } from './context';

const say = (line: string) => process.stdout.write(`${line}\n`);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `payouts paid`: the paying office's confirmation that a funeral payout was paid, entered by a
 * named operator and audited. A payout once paid is never cancelled by a revoked death: it goes to
 * a person instead.
 */
export function registerPayoutsCommands(program: Command): void {
  const payouts = program.command('payouts').description('funeral payouts: record that one was paid');

  payouts
    .command('paid <payout-id>')
    .description('record that the payout was paid (its bank reference and the day)')
    .requiredOption('--on <date>', 'the day it was paid, YYYY-MM-DD')
    .requiredOption('--reference <text>', "the bank's or treasury's reference of the transfer")
    .requiredOption('--operator <login>', 'the operator who enters it (recorded in the audit trail)')
    .action(async (payoutId: string, opts: { on: string; reference: string; operator: string }) => {
      if (!UUID.test(payoutId)) throw new Error(`${payoutId} is not a payout ID (a UUID)`);
      const on = parseIsoDate(opts.on);
      if (!on.ok) throw new Error(`--on: ${on.error.message}`);
      const reference = opts.reference.trim();
      if (reference === '' || reference.length > 100) throw new Error('--reference: 1–100 characters');
      await withDatabase(async (pool) => {
        const operator = await new OperatorsRepository(pool).find(opts.operator);
        if (!operator?.active) throw new Error(`--operator: ${opts.operator} is not an active operator`);
        const audit = new AuditTrail(pool, { flushMs: 0, maxBatch: 1 });
        const result = await withTransaction(pool, async (client) => {
          const paid = await new FuneralPayoutsRepository().markPaid(client, payoutId, on.value, reference);
          if (paid?.changed) {
            await audit.recordWithin(client, {
              caller: { id: `operator:${operator.login}`, label: operator.displayName, role: 'admin' },
              action: AuditAction.PayoutPaid,
              subjectCitizenId: paid.deceasedCitizenId,
              purpose: 'funeral-payout',
              outcome: 'PAID',
              detail: { payoutId, paidOn: on.value, reference },
            });
          }
          return paid;
        });
        if (!result) throw new Error(`no payout ${payoutId}`);
        if (!result.changed) throw new Error(`payout ${payoutId} is ${result.status}: not changed`);
        say(`payout ${payoutId} recorded as paid on ${on.value} (reference ${reference})`);
      });
    });
}
