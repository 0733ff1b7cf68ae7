import { createWriteStream, fchmodSync, openSync } from 'node:fs';
import { csvCell } from '@vss/domain';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { type FieldEvidence, type Finding, Gender, type Outcome, type Run } from '@vss/contracts';
import { cliContext } from './context';
import { ReconciliationClient } from './reconcile-client';

export { GatewayCallError, ReconciliationClient } from './reconcile-client';

const say = (line: string) => process.stdout.write(`${line}\n`);
const bare = (value: string, prefix: string) => value.replace(prefix, '');
const outcomeArg = (value: string) => `OUTCOME_${value.toUpperCase().replace(/^OUTCOME_/, '')}` as Outcome;

function connect(): ReconciliationClient {
  const context = cliContext();
  const apiKey = context.apiKey('admin');
  if (!apiKey)
    throw new Error('no API key: set VSS_API_KEY to an admin key, or run `npm start` (it issues one)');
  return new ReconciliationClient(context.gatewayGrpc, apiKey, context.credentials());
}

async function withClient(work: (client: ReconciliationClient) => Promise<void>): Promise<void> {
  const client = connect();
  try {
    await work(client);
  } finally {
    client.close();
  }
}

function scopeText(run: Run): string {
  const scope = run.scope;
  if (scope?.provinceCode) return `province ${scope.provinceCode}`;
  if (scope?.changedSince) return `changed since ${scope.changedSince}`;
  return 'all records';
}

const SHORT: Record<string, string> = {
  OUTCOME_MATCHED_AFTER_NORMALIZATION: 'norm',
  OUTCOME_FIELD_MISMATCH: 'mismatch',
  OUTCOME_LEGACY_ID_RESOLVED: 'legacy',
  OUTCOME_NOT_IN_REGISTRY: 'unknown',
  OUTCOME_DECEASED_BUT_ACTIVE: 'deceased',
  OUTCOME_DUPLICATE_PARTICIPANT: 'dup',
  OUTCOME_MISSING_ID_CANDIDATE: 'no-id',
};

/** Counts short enough for one line of a progress bar. */
function shortCounts(run: Run): string {
  return run.counts
    .filter((c) => SHORT[c.outcome])
    .map((c) => `${SHORT[c.outcome]} ${c.count}`)
    .join(' ');
}

function countsText(run: Run): string {
  return run.counts
    .filter((c) => c.outcome !== 'OUTCOME_MATCHED')
    .map((c) => `${bare(c.outcome, 'OUTCOME_')} ${c.count}`)
    .join('  ');
}

export function describeRun(run: Run): string[] {
  return [
    `run ${run.runId}  ${bare(run.state, 'RUN_STATE_')}  ${scopeText(run)}${run.dryRun ? '  (dry run)' : ''}${
      run.findMissingIdCandidates ? '  (with candidates)' : ''
    }`,
    `  records  ${run.recordsProcessed} of ${run.recordsTotal}  at ${run.recordsPerSecond} records/s`,
    `  started  ${run.startedAt || '-'} by ${run.startedBy}   finished ${run.finishedAt || '-'}`,
    `  outcomes ${countsText(run) || '(none yet)'}`,
    ...(run.error ? [`  error    ${run.error}`] : []),
  ];
}

/** Follows a run with a live progress bar on a terminal, a line per change elsewhere. */
async function follow(client: ReconciliationClient, runId: string): Promise<Run> {
  const tty = process.stdout.isTTY === true;
  const bar = new SingleBar({
    format: '{bar} {percentage}% | {value}/{total} | {rate} records/s | ETA {eta_s}s | {state} {counts}',
    hideCursor: true,
    etaBuffer: 1,
  });
  let started = false;
  const final = await client.watch(runId, (run) => {
    const payload = {
      rate: run.recordsPerSecond,
      eta_s: run.etaSeconds,
      state: bare(run.state, 'RUN_STATE_'),
      counts: shortCounts(run),
    };
    const total = Math.max(1, Number(run.recordsTotal));
    if (!tty) {
      say(
        `${payload.state} ${run.recordsProcessed}/${run.recordsTotal} ${payload.rate} records/s ETA ${payload.eta_s}s`,
      );
    } else if (!started) {
      bar.start(total, Number(run.recordsProcessed), payload);
      started = true;
    } else {
      bar.setTotal(total);
      bar.update(Number(run.recordsProcessed), payload);
    }
  });
  if (started) bar.stop();
  describeRun(final).forEach(say);
  return final;
}

export const CSV_HEADER = [
  'finding_id',
  'outcome',
  'social_insurance_code',
  'citizen_id',
  'province_code',
  'differences',
  'resolved_citizen_id',
  'best_candidate',
  'best_candidate_score',
  'evidence',
  'duplicate_social_insurance_codes',
  'date_of_death',
  'applied_at',
  'detail',
];

/** "full_name=EXACT(+9.1); date_of_birth=ONE_PART_DIFFERS(-2.3)": the model's reasons. */
function evidenceCsv(evidence: readonly FieldEvidence[]): string {
  return evidence
    .map((e) => `${e.field}=${e.level}(${e.weight >= 0 ? '+' : ''}${e.weight.toFixed(2)})`)
    .join('; ');
}

/**
 * One finding as a CSV line (RFC 4180 quoting; a cell a spreadsheet would run as a formula is
 * neutralised). The evidence is the best candidate's, or the mismatch's.
 */
export function findingCsv(f: Finding): string {
  const best = f.candidates[0];
  return [
    f.findingId,
    bare(f.outcome, 'OUTCOME_'),
    f.socialInsuranceCode,
    f.citizenId,
    f.provinceCode,
    f.differences.map((d) => `${d.field}: ${d.insuranceValue} -> ${d.registryValue}`).join('; '),
    f.resolvedCitizenId,
    best ? `${best.citizenId} ${best.fullName} ${best.dateOfBirth}` : '',
    best ? best.score.toFixed(4) : '',
    evidenceCsv(best ? best.evidence : f.evidence),
    f.duplicateSocialInsuranceCodes.join(' '),
    f.dateOfDeath,
    f.appliedAt,
    f.detail,
  ]
    .map(csvCell)
    .join(',');
}

/** Opens `path` for writing, readable and writable by its owner only (an existing file too). */
function privateFile(path: string): number {
  const fd = openSync(path, 'w', 0o600);
  fchmodSync(fd, 0o600);
  return fd;
}

function findingLine(f: Finding): string {
  return `${f.findingId.padStart(8)}  ${bare(f.outcome, 'OUTCOME_').padEnd(27)} ${f.socialInsuranceCode}  ${f.citizenId.padEnd(12)}  ${f.detail}`;
}

/** `reconcile start|watch|list|show|cancel|findings|export|apply`: administrators' reconciliation. */
export function registerReconcileCommands(program: Command): void {
  const reconcile = program
    .command('reconcile')
    .description('reconciliation of insurance records against the population registry (admin)');

  reconcile
    .command('start')
    .description('start a run: all records, one province, or records changed since a date')
    .option('--province <code>', 'only the records of this province (3 digits, e.g. 001)')
    .option('--changed-since <date>', 'only records or citizens changed since this date (YYYY-MM-DD)')
    .option('--candidates', 'look for registry candidates for records without a citizen ID', false)
    .option('--dry-run', 'find, but never apply', false)
    .option('--watch', 'follow the run with a progress bar until it ends', false)
    .action(
      (opts: {
        province?: string;
        changedSince?: string;
        candidates: boolean;
        dryRun: boolean;
        watch: boolean;
      }) =>
        withClient(async (client) => {
          if (opts.province && opts.changedSince)
            throw new Error('give --province or --changed-since, not both');
          const scope = opts.province
            ? { provinceCode: opts.province }
            : opts.changedSince
              ? { changedSince: opts.changedSince }
              : { all: true };
          const run = await client.startRun({
            scope,
            findMissingIdCandidates: opts.candidates,
            dryRun: opts.dryRun,
          });
          say(`started run ${run.runId} (${scopeText(run)})`);
          if (opts.watch) await follow(client, run.runId);
        }),
    );

  reconcile
    .command('watch <run>')
    .description('follow a run with a progress bar until it ends')
    .action((runId: string) => withClient(async (client) => void (await follow(client, runId))));

  reconcile
    .command('show <run>')
    .description('a run: state, progress and counts per outcome')
    .action((runId: string) =>
      withClient(async (client) => describeRun(await client.getRun(runId)).forEach(say)),
    );

  reconcile
    .command('list')
    .description('runs, newest first')
    .option('--state <state>', 'QUEUED, RUNNING, COMPLETED, CANCELLED or FAILED')
    .option('--limit <n>', 'runs to show', '20')
    .action((opts: { state?: string; limit: string }) =>
      withClient(async (client) => {
        const state = opts.state ? `RUN_STATE_${opts.state.toUpperCase()}` : undefined;
        const { runs } = await client.listRuns({ state, pageSize: Number(opts.limit) });
        if (runs.length === 0) say('no runs');
        for (const run of runs) {
          say(
            `${run.runId}  ${bare(run.state, 'RUN_STATE_').padEnd(9)}  ${run.createdAt}  ${run.recordsProcessed}/${run.recordsTotal}  ${scopeText(run)}${run.dryRun ? ' (dry run)' : ''}`,
          );
        }
      }),
    );

  reconcile
    .command('cancel <run>')
    .description('cancel a queued or running run; the worker stops after its current chunk')
    .action((runId: string) =>
      withClient(async (client) => describeRun(await client.cancelRun(runId)).forEach(say)),
    );

  reconcile
    .command('findings <run>')
    .description("a run's findings")
    .option('--outcome <outcome...>', 'only these outcomes, e.g. FIELD_MISMATCH')
    .option('--province <code>', 'only records of this province')
    .option('--limit <n>', 'at most this many (0 for all)', '100')
    .action((runId: string, opts: { outcome?: string[]; province?: string; limit: string }) =>
      withClient(async (client) => {
        const request = {
          runId,
          outcomes: (opts.outcome ?? []).map(outcomeArg),
          provinceCode: opts.province ?? '',
          limit: Number(opts.limit),
        };
        for await (const page of client.findings(request)) page.findings.map(findingLine).forEach(say);
      }),
    );

  reconcile
    .command('candidates')
    .description('rank the registry citizens who could be the person of a record without a citizen ID')
    .requiredOption('--name <full name>', 'as the record holds it, e.g. "Nguyễn Văn An"')
    .requiredOption('--born <date>', 'as the record holds it: 1985-03-12, 03/1985, 1985, 1985-00-00 …')
    .requiredOption('--gender <M|F>', 'M or F')
    .option('--province <code>', 'where the record is kept, e.g. 079')
    .option('--limit <n>', 'candidates, best first (at most 10)', '3')
    .action((opts: { name: string; born: string; gender: string; province?: string; limit: string }) =>
      withClient(async (client) => {
        const gender = { M: Gender.GENDER_MALE, F: Gender.GENDER_FEMALE }[opts.gender.toUpperCase()];
        if (gender === undefined) throw new Error(`--gender ${opts.gender}: M or F`);
        const found = await client.findCandidates({
          fullName: opts.name,
          dateOfBirth: opts.born,
          gender,
          provinceCode: opts.province ?? '',
          limit: Number(opts.limit),
        });
        say(`${found.citizensConsidered} registry citizens weighed by model ${found.modelVersion}`);
        if (found.candidates.length === 0) say('no citizen is likely enough to be this person');
        for (const c of found.candidates)
          say(
            `  ${c.citizenId}  ${c.fullName}, born ${c.dateOfBirth}  score ${c.score.toFixed(3)}  weight ${c.matchWeight.toFixed(1)}  ${evidenceCsv(c.evidence)}`,
          );
      }),
    );

  reconcile
    .command('export <run>')
    .description("a run's findings as CSV, to a file or stdout")
    .option('--format <format>', 'csv (the only format)', 'csv')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--outcome <outcome...>', 'only these outcomes')
    .action((runId: string, opts: { format: string; out?: string; outcome?: string[] }) =>
      withClient(async (client) => {
        if (opts.format !== 'csv') throw new Error(`--format ${opts.format}: only csv is supported`);
        // The findings name people: a file of them is readable by its owner only.
        const out = opts.out ? createWriteStream('', { fd: privateFile(opts.out) }) : process.stdout;
        const write = (line: string) =>
          out.write(`${line}\n`) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
        await write(CSV_HEADER.join(','));
        let n = 0;
        for await (const page of client.findings({
          runId,
          outcomes: (opts.outcome ?? []).map(outcomeArg),
          pageSize: 2000,
        })) {
          for (const f of page.findings) await write(findingCsv(f));
          n += page.findings.length;
        }
        if (opts.out) {
          await new Promise<void>((resolve) => (out as ReturnType<typeof createWriteStream>).end(resolve));
          say(`${n} findings written to ${opts.out}`);
        }
      }),
    );

  reconcile
    .command('apply <run>')
    .description('apply the findings of chosen outcomes to the insurance records (audited)')
    .requiredOption(
      '--outcome <outcome...>',
      'MATCHED_AFTER_NORMALIZATION, FIELD_MISMATCH, LEGACY_ID_RESOLVED or DECEASED_BUT_ACTIVE',
    )
    .option('--finding <id...>', 'only these findings')
    .action((runId: string, opts: { outcome: string[]; finding?: string[] }) =>
      withClient(async (client) => {
        const res = await client.applyFindings({
          runId,
          outcomes: opts.outcome.map(outcomeArg),
          findingIds: opts.finding ?? [],
        });
        if (res.awaitingApproval) {
          say(`waiting for an approver: approval ${res.approvalId}`);
          say(
            'nothing is applied until another operator with the approver role approves it (ApprovalService)',
          );
          return;
        }
        for (const a of res.applied) say(`applied ${a.count.padStart(8)}  ${bare(a.outcome, 'OUTCOME_')}`);
        say(`skipped ${res.skipped.padStart(8)}  (applied before, or the record changed since the run)`);
        if (res.inProgress) {
          say(
            `still applying: the worker goes on with application ${res.applicationId}; ` +
              'apply the same again later to see the rest counted as skipped',
          );
        }
      }),
    );
}
