import { Gender } from './citizen-id';
import { compareDates, IsoDate } from './dates';
import { normalizeName } from './names';

export type CoverageStatus = 'COVERED' | 'NOT_COVERED';

export type NotCoveredReason =
  | 'UNKNOWN_CITIZEN'
  | 'NO_CARD'
  | 'CARD_EXPIRED'
  | 'CARD_NOT_YET_VALID'
  | 'DECEASED'
  | 'COVERAGE_SUSPENDED'
  | 'REINSTATEMENT_PENDING';

export type CoverageCard = {
  validFrom: IsoDate;
  /** Absent when the card is open-ended. */
  validTo?: IsoDate;
  suspended: boolean;
};

/** What the population registry said of an ID that VSS has no record of. */
export type RegistryAnswer = 'KNOWN' | 'NOT_FOUND' | 'UNREACHABLE';

export type CoverageInput = {
  /** Whether VSS holds any insurance record of the citizen. */
  known: boolean;
  /**
   * For an ID VSS does not know: whether the population registry does. Only NOT_FOUND (or no
   * answer given) makes the ID unknown; a citizen the registry knows, or an ID it could not be
   * asked about in time, has no HI card — that much VSS knows for certain.
   */
  registry?: RegistryAnswer;
  deceasedOn?: IsoDate;
  /** The recorded death was revoked and the revocation approved: the records are being reinstated. */
  reinstating?: boolean;
  card?: CoverageCard;
  visitDate: IsoDate;
};

export type CoverageDecision = { status: CoverageStatus; reason?: NotCoveredReason };

const REASON_MESSAGES: Record<NotCoveredReason, string> = {
  UNKNOWN_CITIZEN:
    'neither VSS nor the population registry knows this citizen ID; check the ID on the card and try again',
  NO_CARD:
    'no health insurance card under this citizen ID; the patient may register for health insurance or pay in full',
  CARD_EXPIRED: 'the health insurance card has expired; the patient should renew it, or pay in full',
  CARD_NOT_YET_VALID:
    'the health insurance card is not yet valid on the visit date; the patient pays in full until it is',
  DECEASED:
    'VSS records this citizen as deceased before the visit date; check the ID, and report an error to VSS',
  REINSTATEMENT_PENDING:
    'the death VSS recorded for this citizen was revoked and VSS is reinstating the card from the day it ended; ' +
    'the visit will be covered once it is: ask again in a few minutes, or admit the patient as insured and check later',
  COVERAGE_SUSPENDED:
    'the health insurance card is suspended; the patient should contact their VSS office, or pay in full',
};

/** The sentence a receptionist reads for a reason: what is true and what to do. */
export function reasonMessage(reason: NotCoveredReason): string {
  return REASON_MESSAGES[reason];
}

function notCovered(reason: NotCoveredReason): CoverageDecision {
  return { status: 'NOT_COVERED', reason };
}

/**
 * Whether a visit is covered, and if not, the one reason a receptionist should hear. Reasons are
 * checked in the order that is most useful to act on: an unknown citizen or a death (or a death
 * revoked and being undone, which a receptionist must not read as "deceased") outranks
 * anything about the card, and a suspended card outranks its dates. Coverage ends at death:
 * a visit on the day of death is covered, a visit after it is not. validTo is inclusive.
 */
export function decideCoverage(input: CoverageInput): CoverageDecision {
  const { visitDate, card } = input;
  if (!input.known) {
    return notCovered(
      input.registry === 'KNOWN' || input.registry === 'UNREACHABLE' ? 'NO_CARD' : 'UNKNOWN_CITIZEN',
    );
  }
  if (input.deceasedOn !== undefined && compareDates(visitDate, input.deceasedOn) > 0)
    return notCovered(input.reinstating ? 'REINSTATEMENT_PENDING' : 'DECEASED');
  if (!card) return notCovered('NO_CARD');
  if (card.suspended) return notCovered('COVERAGE_SUSPENDED');
  if (compareDates(visitDate, card.validFrom) < 0) return notCovered('CARD_NOT_YET_VALID');
  if (card.validTo !== undefined && compareDates(visitDate, card.validTo) > 0)
    return notCovered('CARD_EXPIRED');
  return { status: 'COVERED' };
}

export type IdentityField = 'full_name' | 'date_of_birth' | 'gender';

/**
 * NOT_CHECKED when the chip data carried none of the fields: reporting VERIFIED after comparing
 * nothing would tell a clinic the card matches when nobody looked.
 */
export type IdentityResult = 'VERIFIED' | 'MISMATCH' | 'NOT_CHECKED';

export type IdentityComparison = { result: IdentityResult; mismatchedFields: IdentityField[] };

export type ChipIdentity = { fullName?: string; dateOfBirth?: IsoDate; gender?: Gender };

/** The registry's side; a gender it does not hold is not compared. */
export type RegistryIdentity = { fullName: string; dateOfBirth: IsoDate; gender: Gender | undefined };

function present(value: string | undefined): value is string {
  // proto3 sends an absent string as '', which must mean "not given", not "given as empty".
  return value !== undefined && value.trim() !== '';
}

/**
 * Compares what the chip (or QR code) of a citizen ID card says with the registry.
 *
 * Names are compared with normalizeName: Unicode form, case, spacing and the placement of tone
 * marks (Hòa/Hoà) may differ, but a difference in diacritics is a MISMATCH. The chip holds the
 * authoritative Vietnamese spelling, and for identity diacritics separate different names
 * (Đào and Dao, Lê and Le are different people's names); the diacritics-blind match key is for
 * finding candidates in reconciliation, never for confirming who is at the counter.
 */
export function compareIdentity(chip: ChipIdentity, registry: RegistryIdentity): IdentityComparison {
  const mismatchedFields: IdentityField[] = [];
  let compared = 0;
  if (present(chip.fullName)) {
    compared += 1;
    if (normalizeName(chip.fullName) !== normalizeName(registry.fullName)) mismatchedFields.push('full_name');
  }
  if (present(chip.dateOfBirth)) {
    compared += 1;
    if (chip.dateOfBirth.trim() !== registry.dateOfBirth) mismatchedFields.push('date_of_birth');
  }
  if (chip.gender !== undefined && registry.gender !== undefined) {
    compared += 1;
    if (chip.gender !== registry.gender) mismatchedFields.push('gender');
  }
  if (compared === 0) return { result: 'NOT_CHECKED', mismatchedFields };
  return { result: mismatchedFields.length === 0 ? 'VERIFIED' : 'MISMATCH', mismatchedFields };
}
