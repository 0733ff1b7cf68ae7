import { addMonths, ageInMonths, compareDates, dateParts, IsoDate, isoDateFromParts } from './dates';
import { benefitLevelOf, ObjectGroupCode } from './object-groups';

/**
 * The HI card of a child under 6 (object group TE) is issued free from the birth. The Law on
 * Health Insurance (as amended 2014) says it is valid "đến ngày trẻ đủ 72 tháng tuổi. Trường hợp
 * trẻ đủ 72 tháng tuổi mà chưa đến kỳ nhập học thì thẻ có giá trị sử dụng đến ngày 30 tháng 9 của
 * năm đó": a child who turns six before the school year starts stays covered until it does.
 */
export const CHILD_OBJECT_GROUP: ObjectGroupCode = 'TE';

/** Age, in months, at which the child card ends. */
export const CHILD_CARD_AGE_MONTHS = 72;

/** The last day before the school year, to which a card ending earlier in the year is extended. */
export const SCHOOL_YEAR_EVE = { month: 9, day: 30 } as const;

/** The benefit level of the child card, from the object-group table. */
export function childBenefitLevelPercent(): number {
  return benefitLevelOf(CHILD_OBJECT_GROUP);
}

/**
 * The day a child turns 72 months old. A child born on 29 February turns six on 28 February
 * of a common year: periods in months end on the month's last day when the day is missing
 * (Civil Code 2015, Art. 148).
 */
export function sixthBirthday(dateOfBirth: IsoDate): IsoDate {
  return addMonths(dateOfBirth, CHILD_CARD_AGE_MONTHS);
}

/**
 * Validity of a child's HI card: from the date of birth to the sixth birthday, or to
 * 30 September of that year when the sixth birthday falls on or before it.
 */
export function childCardValidity(dateOfBirth: IsoDate): { validFrom: IsoDate; validTo: IsoDate } {
  const turnsSix = sixthBirthday(dateOfBirth);
  const schoolYearEve = isoDateFromParts(
    dateParts(turnsSix).year,
    SCHOOL_YEAR_EVE.month,
    SCHOOL_YEAR_EVE.day,
  );
  const validTo = compareDates(turnsSix, schoolYearEve) <= 0 ? schoolYearEve : turnsSix;
  return { validFrom: dateOfBirth, validTo };
}

/** True while a child born on dateOfBirth is under 72 months old on the given day. */
export function isUnderSix(dateOfBirth: IsoDate, on: IsoDate): boolean {
  return compareDates(on, dateOfBirth) >= 0 && ageInMonths(dateOfBirth, on) < CHILD_CARD_AGE_MONTHS;
}
