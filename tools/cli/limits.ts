import type { Command } from 'commander';
import { formatLimitSpec, LimitSpecError, ROLE_DEFAULTS } from '@vss/domain';
import { LimitOverrides } from '@vss/limits';
import { withDatabase } from './context';

const say = (line: string) => process.stdout.write(`${line}\n`);

const withOverrides = <T>(work: (overrides: LimitOverrides) => Promise<T>): Promise<T> =>
  withDatabase((pool) => work(new LimitOverrides(pool)), 1);
/**
 * `limits show|set|clear`: per-caller limits. A caller's own limits replace its role's
 * (CALLER_LIMITS_<ROLE> on the gateways); every gateway applies a change within a moment
 * (NOTIFY). Usage is today's lookups, summed over the fleet.
 */
export function registerLimitsCommands(program: Command): void {
  const limits = program
    .command('limits')
    .description("per-caller limits: show the roles' and the callers' own, set or clear a caller's");

  limits
    .command('show')
    .description("the built-in limits of each role, every caller's own limits and today's lookups")
    .action(async () => {
      const { overrides, usage } = await withOverrides(async (o) => ({
        overrides: await o.list(),
        usage: await o.usageToday(),
      }));
      say('built-in role limits (CALLER_LIMITS_<ROLE> on a gateway changes them):');
      for (const [role, spec] of Object.entries(ROLE_DEFAULTS))
        say(`  ${role.padEnd(15)} ${formatLimitSpec(spec)}`);
      say(overrides.length ? "callers' own limits:" : 'no caller has limits of its own');
      for (const o of overrides)
        say(`  ${o.callerId.padEnd(15)} ${o.limits}${o.note ? `  (${o.note})` : ''}`);
      say(usage.length ? "today's lookups, most first:" : 'no lookups today');
      for (const u of usage) say(`  ${u.callerId.padEnd(15)} ${u.used}`);
    });

  limits
    .command('set')
    .description('give a caller limits of its own, e.g. `limits set k3y1d rate=50,burst=500,daily=50000`')
    .argument('<caller>', 'an API key id, or cert:<serial> of a registered certificate')
    .argument(
      '<limits>',
      'limit=value pairs: rate, burst, daily, calls, streams, stream-seconds; off lifts one',
    )
    .option('--note <text>', 'why, shown by limits show')
    .action(async (callerId: string, text: string, opts: { note?: string }) => {
      try {
        const { role, effective } = await withOverrides((o) => o.set(callerId, text, opts.note));
        say(`${callerId} (${role}): ${formatLimitSpec(effective)}`);
      } catch (error) {
        if (error instanceof LimitSpecError) throw new Error(`limits: ${error.message}`, { cause: error });
        throw error;
      }
    });

  limits
    .command('clear')
    .description("drop a caller's own limits: its role's apply again")
    .argument('<caller>')
    .action(async (callerId: string) => {
      if (!(await withOverrides((o) => o.clear(callerId))))
        throw new Error(`${callerId} has no limits of its own`);
      say(`${callerId}: its role's limits apply`);
    });
}
