import type { Pool } from 'pg';
import {
  Gender,
  type SubmitBirthRegistrationRequest,
  type SubmitDeathRegistrationRequest,
} from '@vss/contracts';
import { makeCitizenId } from '@vss/domain';

/**
 * Birth and death registrations over a seeded population (loadPopulation), for the kill test
 * and the benchmark: every one of them should complete, so the people are picked to agree with
 * the registry. Deaths: living citizens with exactly one VSS record that matches the registry;
 * claimants: other living adults; births: new citizen IDs of 2024, mothers from the population.
 */

export interface ProcedureFixtures {
  births: SubmitBirthRegistrationRequest[];
  deaths: SubmitDeathRegistrationRequest[];
}

interface Person {
  citizen_id: string;
  full_name: string;
  residence_province_code: string | null;
}

const DEATH_DATES = ['2024-06-14', '2024-08-21', '2024-10-03', '2023-12-30'];
const BIRTH_DATES = ['2024-01-15', '2024-03-01', '2024-09-30', '2024-11-20'];
/** Serials of new children start here, far from the generator's low serials; taken ones are skipped. */
const CHILD_SERIAL_BASE = 900_000;

export async function buildProcedureFixtures(
  pool: Pool,
  options: { births: number; deaths: number; officeCode: string; eventPrefix: string },
): Promise<ProcedureFixtures> {
  const deceased = await pool.query<Person>(
    `SELECT c.citizen_id, c.full_name, c.residence_province_code
     FROM npd.citizens c JOIN vss.participants p ON p.citizen_id = c.citizen_id
     WHERE c.vital_status = 'ALIVE' AND c.date_of_birth < '2023-01-01' AND p.deceased_on IS NULL
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
    `SELECT citizen_id, full_name, residence_province_code, gender FROM npd.citizens
     WHERE vital_status = 'ALIVE' AND date_of_birth BETWEEN '1960-01-01' AND '2004-12-31'
       AND NOT (citizen_id = ANY($1)) ORDER BY citizen_id`,
    [dying],
  );
  const claimants = adults.rows;
  const mothers = adults.rows.filter((r) => r.gender === 'F');
  if (claimants.length === 0 || mothers.length === 0) throw new Error('the population has no living adults');

  const deaths = deceased.rows.map((person, i): SubmitDeathRegistrationRequest => {
    const claimant = claimants[i % claimants.length];
    const dateOfDeath = DEATH_DATES[i % DEATH_DATES.length];
    return {
      header: header(options, `${options.eventPrefix}-death-${i}`, `KT-${i}`, dateOfDeath),
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
  const taken = new Set(
    (
      await pool.query<{ citizen_id: string }>(
        `SELECT citizen_id FROM npd.citizens WHERE citizen_id LIKE '___224%' OR citizen_id LIKE '___324%'`,
      )
    ).rows.map((r) => r.citizen_id),
  );
  for (let i = 0, serial = CHILD_SERIAL_BASE; births.length < options.births; i += 1, serial += 1) {
    const mother = mothers[i % mothers.length];
    const province = mother.residence_province_code ?? mother.citizen_id.slice(0, 3);
    const gender = i % 2 === 0 ? 'MALE' : 'FEMALE';
    const childId = makeCitizenId({ provinceCode: province, gender, birthYear: 2024, serial });
    if (taken.has(childId)) continue;
    const dateOfBirth = BIRTH_DATES[i % BIRTH_DATES.length];
    births.push({
      header: header(options, `${options.eventPrefix}-birth-${i}`, `KS-${i}`, dateOfBirth),
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
  return { births, deaths };
}

function header(options: { officeCode: string }, eventId: string, registrationNumber: string, date: string) {
  return { officeCode: options.officeCode, eventId, registrationNumber, registrationDate: date };
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
