import { compareParticipantToCitizen, parsePartialDate, type Gender as DomainGender } from '@vss/domain';
import { type DiscrepancyRates, DISCREPANCY_KINDS } from './discrepancies';
import { createPopulation, type GeneratorOptions } from './generator';
import type { CitizenRow, Gender, ParticipantRow, PersonRecords } from './rows';

/** Shared by the generator's specs: one reference date, and the domain's view of a record. */

export const AS_OF = '2025-11-23';

export function generatePeople(citizens: number, options: Partial<GeneratorOptions> = {}): PersonRecords[] {
  return [...createPopulation({ citizens, seed: 42, asOf: AS_OF, ...options }).people()];
}

export const domainGender = (g: Gender): DomainGender => (g === 'M' ? 'MALE' : 'FEMALE');

/** What the domain's matcher says about an insurance record against its registry citizen. */
export function compareWithRegistry(participant: ParticipantRow, citizen: CitizenRow) {
  const dob = parsePartialDate(participant.dateOfBirth);
  if (!dob.ok) throw new Error(`unparseable birth date ${participant.dateOfBirth}`);
  return compareParticipantToCitizen(
    { fullName: participant.fullName, dateOfBirth: dob.value, gender: domainGender(participant.gender) },
    { fullName: citizen.fullName, dateOfBirth: citizen.dateOfBirth, gender: domainGender(citizen.gender) },
  );
}

export function zeroRates(): DiscrepancyRates {
  return Object.fromEntries(DISCREPANCY_KINDS.map((kind) => [kind, 0])) as DiscrepancyRates;
}
