/**
 * Which civil registry office may register an event (Law on Civil Status 58/2014/QH13):
 * - a birth, the office of the place of residence of the father or the mother (art. 13);
 * - a death, the office of the deceased's last place of residence; only where that is unknown,
 *   the office of the place where the person died (art. 32).
 * Places are those the population registry knows, never places the filing office typed about
 * the person; a filing the rule does not place within the office's area waits for an approver.
 */

/** The level of government an office belongs to (UBND tỉnh / huyện / xã). */
export type OfficeLevel = 'PROVINCE' | 'DISTRICT' | 'COMMUNE';
export const OFFICE_LEVELS: readonly OfficeLevel[] = ['PROVINCE', 'DISTRICT', 'COMMUNE'];

/** A place as far as it is known: the province always, the district and commune when known. */
export interface Place {
  provinceCode: string;
  districtCode?: string;
  communeCode?: string;
}

/** A registered civil registry office: its level and the area it serves. */
export interface OfficeArea extends Place {
  level: OfficeLevel;
}

/** Why a filing is, or is not, within the office's jurisdiction. */
export type Jurisdiction =
  { within: true; basis: JurisdictionBasis } | { within: false; basis: JurisdictionBasis | 'NO_KNOWN_PLACE' };

/** The place the decision rested on. */
export type JurisdictionBasis = 'LAST_RESIDENCE' | 'PLACE_OF_DEATH' | 'PARENT_RESIDENCE' | 'CHILD_RESIDENCE';

/**
 * True when the office's area contains the place. Each level down to the office's own is
 * compared where the place knows it: a registry that knows only the province (as ours does
 * today) decides at province level, and a finer registry narrows it without a change here.
 */
export function officeServes(office: OfficeArea, place: Place): boolean {
  if (office.provinceCode !== place.provinceCode) return false;
  if (office.level === 'PROVINCE') return true;
  if (office.districtCode && place.districtCode && office.districtCode !== place.districtCode) return false;
  if (office.level === 'DISTRICT') return true;
  return !(office.communeCode && place.communeCode && office.communeCode !== place.communeCode);
}

/** Art. 32: the last residence decides; the place of death only when no residence is known. */
export function deathJurisdiction(
  office: OfficeArea,
  known: { lastResidence?: Place; placeOfDeath?: Place },
): Jurisdiction {
  if (known.lastResidence) {
    return { within: officeServes(office, known.lastResidence), basis: 'LAST_RESIDENCE' };
  }
  if (known.placeOfDeath) {
    return { within: officeServes(office, known.placeOfDeath), basis: 'PLACE_OF_DEATH' };
  }
  return { within: false, basis: 'NO_KNOWN_PLACE' };
}

/**
 * Art. 13: the residence of either parent decides. A birth naming no parent the registry knows
 * a residence of (an unknown father and mother, a foundling) falls back to where the child is to
 * live, as filed: the case is rare, and it is written down as such in the decision.
 */
export function birthJurisdiction(
  office: OfficeArea,
  known: { parentResidences: readonly Place[]; childResidence: Place },
): Jurisdiction {
  if (known.parentResidences.length > 0) {
    return {
      within: known.parentResidences.some((place) => officeServes(office, place)),
      basis: 'PARENT_RESIDENCE',
    };
  }
  return { within: officeServes(office, known.childResidence), basis: 'CHILD_RESIDENCE' };
}
