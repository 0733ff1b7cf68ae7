import type { PoolClient } from 'pg';

/**
 * Serialises every change to one person's insurance records for the rest of the transaction,
 * whoever makes it — a birth or death procedure, an applied reconciliation finding — and
 * whichever tables it touches. Keyed by citizen ID; a record without one (a legacy CMND only)
 * is keyed by its social insurance code.
 */
export async function lockPerson(client: PoolClient, person: PersonKey): Promise<void> {
  await client.query({
    name: 'vss-person-lock',
    text: `SELECT pg_advisory_xact_lock(hashtext('vss-person:' || $1))`,
    values: [personLockKey(person)],
  });
}

/** A person as a caller knows them: by citizen ID, or by one record's social insurance code. */
export type PersonKey = { citizenId: string } | { socialInsuranceCode: string };

function personLockKey(person: PersonKey): string {
  return 'citizenId' in person ? person.citizenId : `sic:${person.socialInsuranceCode}`;
}
