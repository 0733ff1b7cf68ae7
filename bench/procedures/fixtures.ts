import type { Pool } from 'pg';
import {
  Gender,
  type SubmitBirthRegistrationRequest,
  type SubmitDeathRegistrationRequest,
} from '@vss/contracts';
import { addDays, makeCitizenId } from '@vss/domain';

/**
 * Birth and death registrations over a seeded population (loadPopulation), for the kill test
 * and the benchmark: routine ones, every one of which should complete without a person, so the
 * people are picked to agree with the registry and each is filed as an office files in life —
 * by the office of the person's province (the deceased's residence, the mother's), received on
 * `receivedOn` within the legal period. Deaths: living citizens with exactly one VSS record that
 * matches the registry; claimants: other living adults, one per death, each with an account of
 * their own; births: new citizen IDs, mothers from the population.
 */

export interface ProcedureFixtures {
  births: SubmitBirthRegistrationRequest[];
  deaths: SubmitDeathRegistrationRequest[];
  /** The offices that file them: a civil-registry key is needed for each. */
  offices: string[];
}

/** The registered office (seeded by migration) that files for residents of a province. */
export const officeOf = (provinceCode: string) => `UBND-${provinceCode}-00001`;

interface Person {
  citizen_id: string;
  full_name: string;
  residence_province_code: string | null;
}

/** Days before receipt: deaths are registered within 15 days (art. 33), births within 60 (art. 15). */
const DEATH_DAYS_BEFORE = [0, 3, 7, 14];
const BIRTH_DAYS_BEFORE = [1, 10, 30, 59];
/** Serials of new children start here, far from the generator's low serials; taken ones are skipped. */
const CHILD_SERIAL_BASE = 900_000;

export async function buildProcedureFixtures(
  pool: Pool,
  options: { births: number; deaths: number; receivedOn: string; eventPrefix: string },
): Promise<ProcedureFixtures> {
  const deceased = await pool.query<Person>(
    `SELECT c.citizen_id, c.full_name, c.residence_province_code
     FROM npd.citizens c JOIN vss.participants p ON p.citizen_id = c.citizen_id
     WHERE c.vital_status = 'ALIVE' AND c.date_of_birth < '2023-01-01' AND p.deceased_on IS NULL
       AND c.residence_status = 'REGISTERED'
       AND p.full_name = c.full_name AND p.date_of_birth = c.date_of_birth::text
       AND p.gender = c.gender
       AND (SELECT count(*) FROM vss.participants q WHERE q.citizen_id = c.citizen_id) = 1
     ORDER BY c.citizen_id LIMIT $1`,
    [options.deaths],
  );
  if (deceased.rows.length < options.deaths) {
    throw new Error(`only ${deceased.rows.length} citizens fit as deceased; seed a larger population`);
  }
  const dying = deceased.rows.map((r) => r.citizen_id);
  const adults = await pool.query<Person & { gender: 'M' | 'F' }>(
    `SELECT citizen_id, full_name, CASE WHEN residence_status = 'REGISTERED' THEN residence_province_code END
       AS residence_province_code, gender FROM npd.citizens
     WHERE vital_status = 'ALIVE' AND date_of_birth BETWEEN '1960-01-01' AND '2004-12-31'
       AND NOT (citizen_id = ANY($1)) ORDER BY citizen_id`,
    [dying],
  );
  const claimants = adults.rows;
  const mothers = adults.rows.filter((r) => r.gender === 'F' && r.residence_province_code);
  if (claimants.length < options.deaths || mothers.length === 0) {
    throw new Error('the population has too few living adults; seed a larger population');
  }
  const offices = new Set<string>();
  const received = options.receivedOn;

  const deaths = deceased.rows.map((person, i): SubmitDeathRegistrationRequest => {
    const claimant = claimants[i];
    const dateOfDeath = addDays(received, -DEATH_DAYS_BEFORE[i % DEATH_DAYS_BEFORE.length]);
    const office = officeOf(person.residence_province_code ?? person.citizen_id.slice(0, 3));
    offices.add(office);
    return {
      header: header(office, `${options.eventPrefix}-death-${i}`, `KT-${i}`, received),
      death: {
        deceasedCitizenId: person.citizen_id,
        dateOfDeath,
        workRelated: i % 10 === 0,
        placeOfDeath: undefined,
        claimant: {
          citizenId: claimant.citizen_id,
          fullName: claimant.full_name,
          relationship: 'child',
          account: {
            bankCode: 'BIDV',
            accountNumber: String(1_200_000_000 + i),
            accountHolder: claimant.full_name,
          },
        },
      },
    };
  });

  const births: SubmitBirthRegistrationRequest[] = [];
  const years = [...new Set(BIRTH_DAYS_BEFORE.map((d) => addDays(received, -d).slice(2, 4)))];
  const taken = new Set(
    (
      await pool.query<{ citizen_id: string }>(
        `SELECT citizen_id FROM npd.citizens WHERE substr(citizen_id, 4, 1) IN ('2', '3')
           AND substr(citizen_id, 5, 2) = ANY($1)`,
        [years],
      )
    ).rows.map((r) => r.citizen_id),
  );
  for (let i = 0, serial = CHILD_SERIAL_BASE; births.length < options.births; i += 1, serial += 1) {
    const mother = mothers[i % mothers.length];
    const province = mother.residence_province_code!;
    const gender = i % 2 === 0 ? 'MALE' : 'FEMALE';
    const dateOfBirth = addDays(received, -BIRTH_DAYS_BEFORE[i % BIRTH_DAYS_BEFORE.length]);
    const childId = makeCitizenId({
      provinceCode: province,
      gender,
      birthYear: Number(dateOfBirth.slice(0, 4)),
      serial,
    });
    if (taken.has(childId)) continue;
    const office = officeOf(province);
    offices.add(office);
    births.push({
      header: header(office, `${options.eventPrefix}-birth-${i}`, `KS-${i}`, received),
      birth: {
        childCitizenId: childId,
        childFullName: `${mother.full_name.split(' ')[0]} ${gender === 'MALE' ? 'Minh Quân' : 'Ngọc Hân'}`,
        childDateOfBirth: dateOfBirth,
        childGender: gender === 'MALE' ? Gender.GENDER_MALE : Gender.GENDER_FEMALE,
        fatherCitizenId: '',
        motherCitizenId: mother.citizen_id,
        permanentResidence: { address: `Số ${i + 1} đường Hùng Vương`, provinceCode: province },
        primaryCareFacilityCode: '',
      },
    });
  }
  return { births, deaths, offices: [...offices].sort() };
}

function header(officeCode: string, eventId: string, registrationNumber: string, date: string) {
  return { officeCode, eventId, registrationNumber, registrationDate: date };
}

/** Runs `work` over the items with at most `concurrency` at once; answers the results in order. */
export async function inParallel<T, R>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]);
      }
    }),
  );
  return results;
}
