import { Gender } from './citizen-id';
import { formatPartialDate, IsoDate, PartialDate, partialDateMatches, precisionOf } from './dates';
import { compareNames, nameMatchKey, type NameKeyOf } from './names';

export type MatchOutcome = 'MATCHED' | 'MATCHED_AFTER_NORMALIZATION' | 'FIELD_MISMATCH';

export type MatchField = 'full_name' | 'date_of_birth' | 'gender';

export type FieldDifference = { field: MatchField; insuranceValue: string; registryValue: string };

export type ParticipantDemographics = { fullName: string; dateOfBirth: PartialDate; gender: Gender };

export type CitizenDemographics = { fullName: string; dateOfBirth: IsoDate; gender: Gender };

export type ParticipantComparison = {
  outcome: MatchOutcome;
  differences: FieldDifference[];
  /** Fields that agree only after normalisation, and so should be rewritten from the registry. */
  normalizedFields: Exclude<MatchField, 'gender'>[];
};

/**
 * Compares an insurance record with the registry's citizen it is linked to.
 * - MATCHED: names equal after NFC and whitespace tidying, full birth date equal, same gender.
 * - MATCHED_AFTER_NORMALIZATION: nothing contradicts the registry, but the name differs in
 *   case, diacritics, spacing, the punctuation between syllables or Unicode forms only, or the
 *   birth date is only a year or a month that agrees. A
 *   partial date that agrees is not a clean match, because the record should be completed.
 * - FIELD_MISMATCH: at least one field contradicts the registry; each is listed with both values.
 *   Any other difference in a name — a middle name abbreviated or left out included — is one.
 */
export function compareParticipantToCitizen(
  participant: ParticipantDemographics,
  citizen: CitizenDemographics,
  keyOf: NameKeyOf = nameMatchKey,
): ParticipantComparison {
  const differences: FieldDifference[] = [];
  const normalizedFields: ParticipantComparison['normalizedFields'] = [];

  // A middle name left out or cut to its initial ("Nguyễn An", "Nguyễn V. An" for "Nguyễn Văn
  // An") is a difference a person decides: completing it from the registry would rewrite a
  // legal name on a guess (the candidate search still scores it as a near match).
  const names = compareNames(participant.fullName, citizen.fullName, keyOf);
  if (names === 'NORMALIZED') normalizedFields.push('full_name');
  if (names === 'DIFFERENT') {
    differences.push({
      field: 'full_name',
      insuranceValue: participant.fullName,
      registryValue: citizen.fullName,
    });
  }

  if (!partialDateMatches(participant.dateOfBirth, citizen.dateOfBirth)) {
    differences.push({
      field: 'date_of_birth',
      insuranceValue: formatPartialDate(participant.dateOfBirth),
      registryValue: citizen.dateOfBirth,
    });
  } else if (precisionOf(participant.dateOfBirth) !== 'DAY') {
    normalizedFields.push('date_of_birth');
  }

  if (participant.gender !== citizen.gender) {
    differences.push({ field: 'gender', insuranceValue: participant.gender, registryValue: citizen.gender });
  }

  const outcome: MatchOutcome =
    differences.length > 0
      ? 'FIELD_MISMATCH'
      : normalizedFields.length > 0
        ? 'MATCHED_AFTER_NORMALIZATION'
        : 'MATCHED';
  return { outcome, differences, normalizedFields };
}

/**
 * The key that groups records which could be the same person, so that candidate search compares
 * a record with a few hundred citizens instead of ninety million: the surname's match key, the
 * birth year and the province, e.g. "nguyen|1985|001".
 */
export function blockingKey(input: { fullName: string; birthYear: number; provinceCode: string }): string {
  const surname = nameMatchKey(input.fullName).split(' ')[0] ?? '';
  return `${surname}|${input.birthYear}|${input.provinceCode}`;
}
