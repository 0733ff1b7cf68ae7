import 'reflect-metadata';
import { Metadata } from '@grpc/grpc-js';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Pool } from 'pg';
import pino from 'pino';
import { lastValueFrom, of } from 'rxjs';
import { ROLE_DEFAULTS } from '@vss/domain';
import { CallerLimits, LimitsInterceptor, Lookups } from '@vss/limits';
import { attachCaller, type Caller } from '@vss/security';

/**
 * `npm run bench:limits [-- --calls N --callers N]`
 *
 * What the per-caller limits cost one call, alone on a core, without the noise of a whole
 * lookup around them: the real LimitsInterceptor (metadata read, admit — bucket, quota, calls
 * at once — the Observable that holds the place, the release) over a handler that answers at
 * once, against the same handler called bare, in the same run. The interceptor makes no query
 * on the call's path; its sync with PostgreSQL runs on a timer and is not started here.
 */
const { values: opts } = parseArgs({
  options: { calls: { type: 'string', default: '1000000' }, callers: { type: 'string', default: '1000' } },
});
const CALLS = Number(opts.calls);
const CALLERS = Number(opts.callers);
const say = (line = '') => process.stdout.write(`${line}\n`);

class Controller {
  @Lookups()
  lookupCoverage() {
    return Promise.resolve({ status: 'COVERED' });
  }
}

async function main(): Promise<void> {
  say(
    `limits benchmark: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const spec = { ...ROLE_DEFAULTS.clinic, rate: 1e12, burst: 1e12, daily: 1e15, calls: 1e9 };
  const limits = new CallerLimits(undefined as unknown as Pool, {
    roles: { ...ROLE_DEFAULTS, clinic: spec },
    syncMs: 60_000,
    logger: pino({ level: 'silent' }),
  });
  const interceptor = new LimitsInterceptor(limits, new Reflector());
  const controller = new Controller();
  const handler = controller.lookupCoverage.bind(controller);
  const callers: Caller[] = Array.from({ length: CALLERS }, (_, i) => ({
    id: `k${String(i).padStart(11, '0')}`,
    label: `clinic ${i}`,
    role: 'clinic',
    facilityCode: '01001',
    via: 'api-key',
  }));
  const contexts = callers.map((caller) => {
    const metadata = new Metadata();
    attachCaller(metadata, caller);
    const call = { getPath: () => '/vss.gateway.v1.CoverageService/LookupCoverage' };
    const context = new ExecutionContextHost(
      [{ citizenId: '001085012345' }, metadata, call],
      Controller,
      Controller.prototype.lookupCoverage,
    );
    context.setType('rpc');
    return context;
  });

  const bare = async () => {
    for (let i = 0; i < CALLS; i++) await lastValueFrom(of(await handler()));
  };
  const limited = async () => {
    for (let i = 0; i < CALLS; i++) {
      await lastValueFrom(interceptor.intercept(contexts[i % CALLERS], { handle: () => of(handler()) }));
    }
  };
  const time = async (work: () => Promise<void>) => {
    const cpu = process.cpuUsage();
    await work();
    const used = process.cpuUsage(cpu);
    return ((used.user + used.system) * 1000) / CALLS; // ns per call
  };
  await bare();
  await limited(); // warm
  const rounds: Array<{ bare: number; limited: number }> = [];
  for (let r = 0; r < 3; r++) rounds.push({ bare: await time(bare), limited: await time(limited) });
  for (const [i, r] of rounds.entries()) {
    say(
      `round ${i + 1}: bare handler ${r.bare.toFixed(0)} ns of CPU per call, through the limits ${r.limited.toFixed(0)} ns: the limits ${((r.limited - r.bare) / 1000).toFixed(2)} µs per call`,
    );
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const cost = median(rounds.map((r) => r.limited - r.bare)) / 1000;
  say(
    `median: the limits cost ${cost.toFixed(2)} µs of CPU per call over ${CALLS.toLocaleString('en')} calls of ${CALLERS.toLocaleString('en')} callers; ` +
      'compare with the gateway CPU per lookup that bench:lookup prints (its "no limits" row is the same gateway without them)',
  );
}

void main();
