import { registry } from '@vss/contracts';
import { type CitizenSummary, citizenSummaryOf } from '@vss/registry-client';
import { maskCitizenId, nameMatchKey } from '@vss/domain';
import { exactNameForm } from '@vss/domain/match-model';
import { genderFromRegistry } from '@vss/platform';
import { formatPartialDate } from '@vss/domain';
import { type InsuranceRecord, type RegistryPerson, storedPartialDate } from '@vss/domain/reconciliation';

/** The registry's citizen as the reconciliation rules take it. */
export function toRegistryPerson(citizen: registry.Citizen): RegistryPerson {
  return summaryToRegistryPerson(citizenSummaryOf(citizen));
}

/** A citizen of the export as decoded for matching (RegistryClient.exportSummaries), likewise. */
export function summaryToRegistryPerson(c: CitizenSummary): RegistryPerson {
  return {
    citizenId: c.citizenId,
    legacyId: c.legacyId || null,
    fullName: c.fullName,
    dateOfBirth: c.dateOfBirth,
    gender: requireRegistryGender(c),
    dateOfDeath:
      c.vitalStatus === registry.VitalStatus.VITAL_STATUS_DECEASED && c.dateOfDeath ? c.dateOfDeath : null,
    birthProvinceCode: c.birthProvinceCode || c.citizenId.slice(0, 3),
    residenceProvinceCode: c.residenceProvinceCode || null,
  };
}

/** Citizens per blocking rule of one record's search. */
export const SEARCH_PER_RULE = 200;

/** The SearchCitizens request of a record: its blocks, as the run's blocking rules define them. */
export function searchRequestOf(record: InsuranceRecord, keys: NameKeys): registry.SearchCitizensRequest {
  return {
    nameKey: keys.of(record.fullName),
    birthDate: formatPartialDate(storedPartialDate(record.dateOfBirth)),
    provinceCode: record.provinceCode,
    limitPerRule: SEARCH_PER_RULE,
  };
}

/** Past this many words a cache starts over; a population uses a few thousand. */
const CACHE_LIMIT = 100_000;

/**
 * Match keys of names, built from remembered keys of their words. nameMatchKey costs ~9 µs
 * (Unicode normalisation, Vietnamese case folding), which on every citizen of a full export
 * would cost more than reading it. Full names are too many to remember (hundreds of thousands
 * per million people), but they are made of a few thousand words, and the key of a name is
 * the keys of its space-separated words joined by single spaces: every step of nameMatchKey
 * works within a word (the tone marks it moves inside a word are stripped anyway), and spacing
 * is collapsed. The spec checks this equality on hostile input.
 */
export class NameKeys {
  private readonly words = new Map<string, string>();
  private readonly exactWords = new Map<string, string>();

  private word(word: string): string {
    let key = this.words.get(word);
    if (key === undefined) {
      key = nameMatchKey(word);
      if (this.words.size >= CACHE_LIMIT) this.words.clear();
      this.words.set(word, key);
    }
    return key;
  }

  /** nameMatchKey of the name. */
  of(name: string): string {
    const parts = name.split(' ');
    if (parts.length === 1) return this.word(name);
    let key = '';
    for (const part of parts) {
      const k = this.word(part);
      if (k !== '') key = key === '' ? k : `${key} ${k}`;
    }
    return key;
  }

  /**
   * exactNameForm of the name, from remembered forms of its words: the form has no spaces, and
   * like the key it is made within words (the spec checks it on hostile input).
   */
  exact(name: string): string {
    let form = '';
    for (const part of name.split(' ')) {
      let word = this.exactWords.get(part);
      if (word === undefined) {
        word = exactNameForm(part);
        if (this.exactWords.size >= CACHE_LIMIT) this.exactWords.clear();
        this.exactWords.set(part, word);
      }
      form += word;
    }
    return form;
  }

  /** The given name's match key: the last word of the name's key. */
  given(name: string): string {
    const space = name.lastIndexOf(' ');
    const last = this.word(space < 0 ? name : name.slice(space + 1));
    // A last word may key to several ("Y-Moan" → "y moan") or to none (blanks, punctuation).
    if (last !== '' && !last.includes(' ')) return last;
    const key = this.of(name);
    return key.slice(key.lastIndexOf(' ') + 1);
  }

  /** The surname's match key: the first word of the name's key. */
  surname(name: string): string {
    const space = name.indexOf(' ');
    if (space > 0) {
      const first = this.word(name.slice(0, space));
      // A first word may key to several ("Y-Moan" → "y moan") or to none (blanks, punctuation).
      if (first !== '' && !first.includes(' ')) return first;
    }
    const key = this.of(name);
    const end = key.indexOf(' ');
    return end < 0 ? key : key.slice(0, end);
  }
}

/** A registry citizen without a gender cannot be compared; the registry always records one. */
function requireRegistryGender(citizen: Pick<CitizenSummary, 'citizenId' | 'gender'>) {
  const gender = genderFromRegistry(citizen.gender);
  if (!gender)
    throw new RangeError(`the registry sent citizen ${maskCitizenId(citizen.citizenId)} without a gender`);
  return gender;
}
