import { registry } from '@vss/contracts';
import { nameMatchKey } from '@vss/domain';
import type { RegistryPerson } from '@vss/domain/reconciliation';

/** The registry's citizen as the reconciliation rules take it. */
export function toRegistryPerson(citizen: registry.Citizen): RegistryPerson {
  const residence = citizen.permanentResidence?.provinceCode;
  return {
    citizenId: citizen.citizenId,
    legacyId: citizen.legacyId || null,
    fullName: citizen.fullName,
    dateOfBirth: citizen.dateOfBirth,
    gender: citizen.gender === registry.Gender.GENDER_FEMALE ? 'FEMALE' : 'MALE',
    dateOfDeath:
      citizen.vitalStatus === registry.VitalStatus.VITAL_STATUS_DECEASED && citizen.dateOfDeath
        ? citizen.dateOfDeath
        : null,
    birthProvinceCode: citizen.birthProvinceCode || citizen.citizenId.slice(0, 3),
    residenceProvinceCode: residence ? residence : null,
  };
}

/** Past this many names a cache starts over: names repeat so much that it refills at once. */
const CACHE_LIMIT = 200_000;

/**
 * Match keys of names, remembered. nameMatchKey costs ~9 µs (Unicode normalisation, Vietnamese
 * case folding), which on every citizen of a full export would cost more than reading it;
 * Vietnamese names repeat so much (a few dozen surnames, a few thousand full names per
 * province and year) that a cache answers nearly every call.
 */
export class NameKeys {
  private readonly full = new Map<string, string>();
  private readonly surnames = new Map<string, string>();

  /** nameMatchKey of the name. */
  of(name: string): string {
    let key = this.full.get(name);
    if (key === undefined) {
      key = nameMatchKey(name);
      if (this.full.size >= CACHE_LIMIT) this.full.clear();
      this.full.set(name, key);
    }
    return key;
  }

  /** The surname's match key, cached by the name's first word as written. */
  surname(name: string): string {
    const space = name.indexOf(' ');
    const first = space < 0 ? name : name.slice(0, space);
    let key = this.surnames.get(first);
    if (key === undefined) {
      // The written first word may hold more than the surname ("Nguyễn\u00a0Văn"): key it as a whole.
      key = nameMatchKey(first).split(' ')[0] ?? '';
      // A first "word" of blanks or punctuation says nothing: the whole name decides.
      if (key === '') return this.of(name).split(' ')[0] ?? '';
      if (this.surnames.size >= CACHE_LIMIT) this.surnames.clear();
      this.surnames.set(first, key);
    }
    return key;
  }
}
