/**
 * How long after a birth or a death it may be registered before the registration is late, and
 * how far the date an office writes on a registration may stand from the day the gateway
 * received it. The gateway's own day of receipt decides lateness: a date the office types
 * cannot make a late registration look timely.
 */
import { daysBetween, inForce, type IsoDate } from './dates';

export type RegisteredEvent = 'BIRTH' | 'DEATH';

/** A period in force from a date, with the article that sets it. */
export interface RegistrationDeadline {
  event: RegisteredEvent;
  effectiveFrom: IsoDate;
  /** Days after the event within which it is registered on time. */
  days: number;
  source: string;
}

/** Law on Civil Status 58/2014/QH13, in force from 1 January 2016. */
export const REGISTRATION_DEADLINES: readonly RegistrationDeadline[] = [
  {
    event: 'BIRTH',
    effectiveFrom: '2016-01-01',
    days: 60,
    source: 'Law on Civil Status 58/2014/QH13, art. 15(1)',
  },
  {
    event: 'DEATH',
    effectiveFrom: '2016-01-01',
    days: 15,
    source: 'Law on Civil Status 58/2014/QH13, art. 33(1)',
  },
];

/** Whether a registration received on `receivedOn` of an event on `eventDate` is late. */
export type Timeliness =
  | { late: false; days: number; deadline?: RegistrationDeadline }
  | { late: true; days: number; deadline: RegistrationDeadline };

/**
 * The deadline in force on the day of the event decides. An event before any deadline in the
 * table (before 2016) has none written here and is late by definition: it is decades old.
 */
export function registrationTimeliness(
  event: RegisteredEvent,
  eventDate: IsoDate,
  receivedOn: IsoDate,
  table: readonly RegistrationDeadline[] = REGISTRATION_DEADLINES,
): Timeliness {
  const days = daysBetween(eventDate, receivedOn);
  const deadline = inForce(table, eventDate, (row) => row.event === event);
  if (!deadline) {
    const earliest = table
      .filter((row) => row.event === event)
      .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom))[0];
    if (!earliest) throw new RangeError(`no registration deadline for ${event} in the table`);
    return { late: true, days, deadline: earliest };
  }
  return days > deadline.days ? { late: true, days, deadline } : { late: false, days, deadline };
}

/**
 * Days between the registration date an office wrote and the day the gateway received it; the
 * caller refuses a value beyond its tolerance (a registration date is the day of filing, or a
 * day or two earlier when an office's system queues its submissions).
 */
export function registrationDateDrift(registrationDate: IsoDate, receivedOn: IsoDate): number {
  return Math.abs(daysBetween(registrationDate, receivedOn));
}
