import type { JurisdictionBasis, Timeliness } from '@vss/domain';
import { hold, type StepContext, type Verdict } from '../step';

/**
 * The holds of the civil registration steps: a filing outside the office's area, or late, waits
 * for an approver before it changes anything. The reasons name the filing office's own code,
 * the law and the days; never the registry's places or another office's data.
 */

const BASIS: Record<JurisdictionBasis | 'NO_KNOWN_PLACE', string> = {
  LAST_RESIDENCE:
    "the deceased's last permanent residence, as the population registry knows it, is not in its area (Law on Civil Status, art. 32)",
  PLACE_OF_DEATH:
    'the population registry knows no last residence and the place of death is not in its area (art. 32)',
  PARENT_RESIDENCE:
    "neither parent's permanent residence, as the population registry knows it, is in its area (art. 13)",
  CHILD_RESIDENCE: "no parent's residence is known and the child's residence is not in its area (art. 13)",
  NO_KNOWN_PLACE: 'neither a residence nor a place that decides its jurisdiction is known (art. 32)',
};

export function outsideHold(
  context: StepContext,
  event: 'birth' | 'death',
  basis: JurisdictionBasis | 'NO_KNOWN_PLACE',
): Verdict | undefined {
  const office = context.payload.header.officeCode;
  const reason = context.payload.office
    ? `office ${office} registered this ${event} outside its jurisdiction: ${BASIS[basis]}`
    : `office ${office} is not a registered civil registry office, so its jurisdiction cannot be checked`;
  return hold(
    context,
    'OUTSIDE_JURISDICTION',
    `${reason}; an approver confirms the registration before anything changes`,
    {
      basis,
    },
  );
}

export function lateHold(
  context: StepContext,
  event: 'birth' | 'death',
  timely: Timeliness & { late: true },
) {
  return hold(
    context,
    'LATE_REGISTRATION',
    `the ${event} was received ${timely.days} days after it happened, beyond the ${timely.deadline.days} days of ` +
      `${timely.deadline.source}: an approver confirms a late registration (or a wrong date) before anything changes`,
    { days: timely.days, deadlineDays: timely.deadline.days },
  );
}
