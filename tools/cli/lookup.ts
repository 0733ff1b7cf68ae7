import type { Command } from 'commander';
import type { ListCoverageLookupsResponse, LookupCoverageResponse } from '@vss/contracts';
import { callGateway, cliContext } from './context';

const say = (line: string) => process.stdout.write(`${line}\n`);
const strip = (value: string, prefix: string) => value.replace(prefix, '');

const COVERAGE = { proto: 'vss/gateway/v1/coverage.proto', name: 'vss.gateway.v1.CoverageService' };

/** A receptionist's reading of an answer. */
export function describeAnswer(res: LookupCoverageResponse, facilityCode: string): string[] {
  const lines: string[] = [];
  const holder = res.holder;
  lines.push(
    holder
      ? `${holder.fullName} (${res.citizenId}), born ${holder.dateOfBirth}, ${holder.gender === 'GENDER_FEMALE' ? 'female' : 'male'}`
      : `${res.citizenId}: not known to VSS`,
  );
  const status = strip(res.status, 'COVERAGE_STATUS_');
  const reason =
    res.status === 'COVERAGE_STATUS_NOT_COVERED' ? ` — ${strip(res.reason, 'NOT_COVERED_REASON_')}` : '';
  lines.push(`${status}${reason} on ${res.visitDate} at facility ${facilityCode}`);
  const card = res.card;
  if (card) {
    lines.push(
      `  card      ${card.socialInsuranceCode}  ${card.objectGroup}  ${card.benefitLevelPercent} %  valid ${card.validFrom} → ${card.validTo || 'open-ended'}`,
    );
    lines.push(
      `  primary   ${card.primaryCareFacilityCode} ${card.primaryCareFacilityName}${card.visitAtPrimaryCareFacility ? ' (this facility)' : ''}`,
    );
    lines.push(
      `  5 years   ${card.fiveYearsContinuousFrom ? `continuous since ${card.fiveYearsContinuousFrom}` : 'not reached'}`,
    );
  }
  const identity = res.identity;
  if (identity) {
    const fields = identity.mismatchedFields.length ? ` (${identity.mismatchedFields.join(', ')})` : '';
    lines.push(`  identity  ${strip(identity.result, 'IDENTITY_RESULT_')}${fields}`);
  }
  lines.push(`  lookup    ${res.lookupId} (audit record)`);
  if (res.receipt) lines.push(`  receipt   ${res.receipt.seq} ${res.receipt.hash}`);
  return lines;
}

export function registerLookupCommands(program: Command): void {
  program
    .command('lookup')
    .description("HI coverage of a citizen, asked over gRPC as the demo clinic (or VSS_API_KEY's)")
    .argument('[citizenId]', '12-digit citizen ID (or give --qr)')
    .option('--facility <code>', "facility asking (default: the demo clinic's)")
    .option('--visit-date <date>', 'YYYY-MM-DD (default: today in Vietnam)')
    .option('--qr <payload>', 'the QR text of a citizen ID card instead of an ID')
    .action(
      async (citizenId: string | undefined, opts: { facility?: string; visitDate?: string; qr?: string }) => {
        const facilityCode = opts.facility ?? cliContext().runtime?.keys.clinicFacility;
        if (!facilityCode) throw new Error('--facility is required when no `npm start` is running');
        const request = {
          ...(opts.qr ? { qrPayload: opts.qr } : { citizenId: citizenId ?? '' }),
          facilityCode,
          visitDate: opts.visitDate ?? '',
        };
        const res = await callGateway<LookupCoverageResponse>(COVERAGE, 'lookupCoverage', request, 'clinic');
        for (const line of describeAnswer(res, facilityCode)) say(line);
      },
    );

  program
    .command('lookups')
    .description('who looked a citizen up, newest first (as the demo administrator, or VSS_API_KEY)')
    .argument('<citizenId>')
    .option('--limit <n>', 'how many', '20')
    .action(async (citizenId: string, opts: { limit: string }) => {
      const res = await callGateway<ListCoverageLookupsResponse>(
        COVERAGE,
        'listCoverageLookups',
        { citizenId, pageSize: Number(opts.limit) },
        'admin',
      );
      for (const l of res.lookups) {
        say(
          `${l.lookedUpAt}  ${l.facilityCode}  ${strip(l.status, 'COVERAGE_STATUS_')}${l.status === 'COVERAGE_STATUS_NOT_COVERED' ? `:${strip(l.reason, 'NOT_COVERED_REASON_')}` : ''}  identity ${strip(l.identity, 'IDENTITY_RESULT_')}  ${l.caller}`,
        );
      }
      if (res.lookups.length === 0) say(`no lookups of ${citizenId}`);
    });
}
