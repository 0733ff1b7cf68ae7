import type { Command } from 'commander';
import type { Procedure } from '@vss/contracts';
import { vietnamDate } from '@vss/domain';
import { callGateway, cliContext } from './context';

const say = (line: string) => process.stdout.write(`${line}\n`);

const CIVIL_EVENTS = { proto: 'vss/gateway/v1/civil_event.proto', name: 'vss.gateway.v1.CivilEventService' };

/** CivilEventService with the civil registry's key (VSS_API_KEY, else the demo office's). */
const callCivilEvents = <Res>(method: string, request: object) =>
  callGateway<Res>(CIVIL_EVENTS, method, request, 'civilRegistry');

/** The filing's header: the office (the demo office unless given), a new event ID, today. */
function header(opts: { office?: string; event?: string; number?: string }) {
  const officeCode = opts.office ?? cliContext().runtime?.keys.civilRegistryOffice;
  if (!officeCode) throw new Error('--office is required (no `npm start` demo office to default to)');
  const eventId = opts.event ?? `cli-${Date.now()}`;
  return {
    officeCode,
    eventId,
    registrationNumber: opts.number ?? `CLI-${eventId}`,
    registrationDate: vietnamDate(Date.now()),
  };
}

const accepted = (what: string, h: { officeCode: string; eventId: string }, res: Accepted) =>
  say(
    `${what} ${res.duplicate ? 'already accepted' : 'accepted'}: event ${h.officeCode}/${h.eventId}, ` +
      `procedure ${res.procedureId} (${res.state.replace('PROCEDURE_STATE_', '')})\n` +
      `follow it: npm run cli -- civil procedure ${res.procedureId}`,
  );

type Accepted = { procedureId: string; state: string; duplicate: boolean };

type Filing = { office?: string; event?: string; number?: string };

/**
 * `civil death|revoke|correct|procedure`: what a civil registry office's system sends, from the
 * command line — for demos and for an office without software of its own yet.
 */
export function registerCivilCommands(program: Command): void {
  const civil = program
    .command('civil')
    .description("a civil registry office's filings: death, revoke, correct; and their procedures");
  const filing = (command: Command) =>
    command
      .option('--office <code>', 'the filing office (default: the demo office of `npm start`)')
      .option('--event <id>', "the filing's own event ID (default: cli-<time>)")
      .option('--number <text>', 'the number in the civil status book');

  filing(civil.command('death <citizen-id>'))
    .description('register a death (today); the claimant receives the funeral benefits')
    .requiredOption('--date <YYYY-MM-DD>', 'the date of death')
    .requiredOption('--claimant <citizen-id>', "the claimant's citizen ID")
    .requiredOption('--claimant-name <name>', "the claimant's full name, as the registry knows it")
    .requiredOption('--relationship <text>', 'e.g. son, spouse')
    .requiredOption('--bank <code>', "the claimant's bank, e.g. VCB")
    .requiredOption('--account <number>', "the claimant's own account number")
    .option('--work-related', 'the death followed a work accident or an occupational disease')
    .action(
      async (
        citizenId: string,
        opts: Filing & {
          date: string;
          claimant: string;
          claimantName: string;
          relationship: string;
          bank: string;
          account: string;
          workRelated?: boolean;
        },
      ) => {
        const h = header(opts);
        const res = await callCivilEvents<Accepted>('submitDeathRegistration', {
          header: h,
          death: {
            deceasedCitizenId: citizenId,
            dateOfDeath: opts.date,
            workRelated: opts.workRelated === true,
            claimant: {
              citizenId: opts.claimant,
              fullName: opts.claimantName,
              relationship: opts.relationship,
              account: { bankCode: opts.bank, accountNumber: opts.account, accountHolder: opts.claimantName },
            },
          },
        });
        accepted('death', h, res);
      },
    );

  filing(civil.command('revoke <original-event-id>'))
    .description(
      'revoke a registration that should not have been made (a living person, a birth filed twice)',
    )
    .requiredOption('--reason <text>', 'why: read by the approver and kept in the audit trail')
    .option('--original-office <code>', 'the office that registered it (default: the filing office)')
    .action(async (original: string, opts: Filing & { reason: string; originalOffice?: string }) => {
      const h = header(opts);
      const res = await callCivilEvents<Accepted>('revokeRegistration', {
        header: h,
        original: { officeCode: opts.originalOffice ?? h.officeCode, eventId: original },
        reason: opts.reason,
      });
      accepted('revocation', h, res);
    });

  filing(civil.command('correct <original-event-id>'))
    .description("correct a registration's facts: a date of death, or a child's name, date of birth, gender")
    .requiredOption('--reason <text>', 'why: read by the approver and kept in the audit trail')
    .option('--original-office <code>', 'the office that registered it (default: the filing office)')
    .option('--date-of-death <YYYY-MM-DD>', 'the corrected date of death')
    .option('--child-name <name>', "the child's corrected full name")
    .option('--child-date-of-birth <YYYY-MM-DD>', "the child's corrected date of birth")
    .option('--child-gender <male|female>', "the child's corrected gender")
    .action(
      async (
        original: string,
        opts: Filing & {
          reason: string;
          originalOffice?: string;
          dateOfDeath?: string;
          childName?: string;
          childDateOfBirth?: string;
          childGender?: string;
        },
      ) => {
        const h = header(opts);
        const gender = opts.childGender?.toLowerCase();
        if (gender && gender !== 'male' && gender !== 'female')
          throw new Error('--child-gender: male or female');
        const correction = opts.dateOfDeath
          ? { death: { dateOfDeath: opts.dateOfDeath } }
          : {
              birth: {
                childFullName: opts.childName ?? '',
                childDateOfBirth: opts.childDateOfBirth ?? '',
                childGender: gender ? `GENDER_${gender.toUpperCase()}` : 'GENDER_UNSPECIFIED',
              },
            };
        const res = await callCivilEvents<Accepted>('correctRegistration', {
          header: h,
          original: { officeCode: opts.originalOffice ?? h.officeCode, eventId: original },
          reason: opts.reason,
          ...correction,
        });
        accepted('correction', h, res);
      },
    );

  civil
    .command('procedure <procedure-id>')
    .description('a procedure as its office sees it: state, steps, why it waits')
    .action(async (procedureId: string) => {
      const { procedure: p } = await callCivilEvents<{ procedure: Procedure }>('getProcedure', {
        procedureId,
      });
      say(
        `${p.procedureId}  ${p.kind.replace('PROCEDURE_KIND_', '')}  ${p.state.replace('PROCEDURE_STATE_', '')}`,
      );
      say(`  event     ${p.header?.officeCode}/${p.header?.eventId}, about citizen ${p.subjectCitizenId}`);
      if (p.originalProcedureId) say(`  amends    ${p.originalProcedureId}`);
      for (const id of p.amendmentProcedureIds) say(`  amended   by ${id}`);
      if (p.reviewReason) say(`  why       ${p.reviewReason}`);
      if (p.resolutionNote) say(`  note      ${p.resolutionNote}`);
      for (const s of p.steps) {
        const state = s.state.replace('STEP_STATE_', '').toLowerCase();
        say(`  ${state.padEnd(8)}  ${s.name}${s.outcome ? `: ${s.outcome}` : ''}`);
      }
    });
}
