import type { Gender } from '@vss/domain';
import { genderFromRegistry, genderFromStored, storedGender } from '@vss/platform';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { registry } from '@vss/contracts';
import { isProvinceCode } from '@vss/domain';
import { Clock } from '@vss/platform';
import { toCitizen, type CitizenRow } from '../citizens/citizen.mapper';
import { RegistryErrorCode, registryError } from '../citizens/citizens.errors';
import { CitizensRepository } from '../citizens/citizens.repository';
import {
  requireCitizenId,
  requireConsistentId,
  requirePastDate,
  requireText,
} from '../citizens/citizens.validation';
import { RequestsRepository } from './requests.repository';

interface Answer {
  citizen: registry.Citizen;
  replayed: boolean;
}

/**
 * Changes that civil procedures make to the registry. Each is idempotent on the caller's
 * request ID: a repeat with the same content returns the first answer, a reuse of the ID
 * for different content is refused.
 */
@Injectable()
export class CivilStatusService {
  constructor(
    private readonly citizens: CitizensRepository,
    private readonly requests: RequestsRepository,
    private readonly clock: Clock,
  ) {}

  async registerBirth(req: registry.RegisterBirthRequest): Promise<Answer> {
    const today = this.clock.today();
    const citizenId = requireCitizenId(req.citizenId, 'citizen_id', today);
    const fullName = requireText(req.fullName, 'full_name');
    const dateOfBirth = requirePastDate(req.dateOfBirth, 'date_of_birth', today);
    const gender = requireGender(req.gender);
    requireConsistentId(citizenId, dateOfBirth, gender, today);
    return this.once(
      'REGISTER_BIRTH',
      req.requestId,
      citizenId,
      [fullName, dateOfBirth, gender],
      async (c) => {
        if (await this.citizens.findByIdForUpdate(c, citizenId)) {
          throw registryError(
            RegistryErrorCode.CitizenExists,
            `citizen_id ${citizenId} is already registered`,
            'citizen_id',
          );
        }
        return this.citizens.insertNewborn(c, {
          citizenId,
          fullName,
          dateOfBirth,
          gender: storedGender(gender),
        });
      },
    );
  }

  async recordDeath(req: registry.RecordDeathRequest): Promise<Answer> {
    const today = this.clock.today();
    const citizenId = requireCitizenId(req.citizenId, 'citizen_id', today);
    const dateOfDeath = requirePastDate(req.dateOfDeath, 'date_of_death', today);
    return this.once('RECORD_DEATH', req.requestId, citizenId, [dateOfDeath], async (c) => {
      const row = await this.mustExist(c, citizenId);
      if (row.vital_status === 'DECEASED') {
        throw registryError(
          RegistryErrorCode.CitizenDeceased,
          `citizen ${citizenId} is already recorded as deceased on ${row.date_of_death}`,
          'citizen_id',
        );
      }
      if (dateOfDeath < row.date_of_birth) {
        throw registryError(
          RegistryErrorCode.InvalidField,
          `date_of_death ${dateOfDeath} is before the date of birth ${row.date_of_birth}`,
          'date_of_death',
        );
      }
      return this.citizens.markDeceased(c, citizenId, dateOfDeath);
    });
  }

  async registerResidence(req: registry.RegisterPermanentResidenceRequest): Promise<Answer> {
    const citizenId = requireCitizenId(req.citizenId, 'citizen_id', this.clock.today());
    const address = requireText(req.address, 'address', 500);
    if (!isProvinceCode(req.provinceCode)) {
      throw registryError(
        RegistryErrorCode.InvalidField,
        `province_code "${req.provinceCode}" is not one of the 63 province codes`,
        'province_code',
      );
    }
    return this.once(
      'REGISTER_RESIDENCE',
      req.requestId,
      citizenId,
      [address, req.provinceCode],
      async (c) => {
        const row = await this.mustExist(c, citizenId);
        if (row.vital_status === 'DECEASED') {
          throw registryError(
            RegistryErrorCode.CitizenDeceased,
            `citizen ${citizenId} is deceased; a residence cannot be registered`,
            'citizen_id',
          );
        }
        return this.citizens.setResidence(c, citizenId, {
          address,
          provinceCode: req.provinceCode,
          status: 'REGISTERED',
        });
      },
    );
  }

  async cancelResidence(req: registry.CancelPermanentResidenceRequest): Promise<Answer> {
    const citizenId = requireCitizenId(req.citizenId, 'citizen_id', this.clock.today());
    const reason = requireText(req.reason, 'reason', 500);
    return this.once('CANCEL_RESIDENCE', req.requestId, citizenId, [reason], async (c) => {
      const row = await this.mustExist(c, citizenId);
      if (row.residence_status !== 'REGISTERED') {
        throw registryError(
          RegistryErrorCode.ResidenceNotRegistered,
          `citizen ${citizenId} has no registered permanent residence to cancel (status ${row.residence_status})`,
          'citizen_id',
        );
      }
      return this.citizens.setResidence(c, citizenId, { status: 'CANCELLED' });
    });
  }

  /** A death registration revoked: the citizen recorded as dead on that date is alive again. */
  async revokeDeath(req: registry.RevokeDeathRequest): Promise<Answer> {
    const today = this.clock.today();
    const citizenId = requireCitizenId(req.citizenId, 'citizen_id', today);
    const dateOfDeath = requirePastDate(req.dateOfDeath, 'date_of_death', today);
    const reason = requireText(req.reason, 'reason', 500);
    return this.once('REVOKE_DEATH', req.requestId, citizenId, [dateOfDeath, reason], async (c) => {
      const row = await this.mustBeDeadOn(c, citizenId, dateOfDeath);
      return row.vital_status === 'DECEASED' ? this.citizens.markAlive(c, citizenId) : row;
    });
  }

  /** A death registration corrected: the date recorded moves. */
  async correctDeath(req: registry.CorrectDeathRequest): Promise<Answer> {
    const today = this.clock.today();
    const citizenId = requireCitizenId(req.citizenId, 'citizen_id', today);
    const recorded = requirePastDate(req.recordedDateOfDeath, 'recorded_date_of_death', today);
    const dateOfDeath = requirePastDate(req.dateOfDeath, 'date_of_death', today);
    const reason = requireText(req.reason, 'reason', 500);
    return this.once(
      'CORRECT_DEATH',
      req.requestId,
      citizenId,
      [recorded, dateOfDeath, reason],
      async (c) => {
        const row = await this.mustBeDeadOn(c, citizenId, recorded);
        if (row.vital_status !== 'DECEASED') {
          throw registryError(
            RegistryErrorCode.CitizenAlive,
            `citizen ${citizenId} is not recorded as deceased`,
            'citizen_id',
          );
        }
        if (dateOfDeath < row.date_of_birth) {
          throw registryError(
            RegistryErrorCode.InvalidField,
            `date_of_death ${dateOfDeath} is before the date of birth ${row.date_of_birth}`,
            'date_of_death',
          );
        }
        return this.citizens.markDeceased(c, citizenId, dateOfDeath);
      },
    );
  }

  /** A birth registration corrected: name, date of birth or gender, consistent with the citizen ID. */
  async correctBirth(req: registry.CorrectBirthRequest): Promise<Answer> {
    const today = this.clock.today();
    const citizenId = requireCitizenId(req.citizenId, 'citizen_id', today);
    const fullName = req.fullName ? requireText(req.fullName, 'full_name') : undefined;
    const dateOfBirth = req.dateOfBirth
      ? requirePastDate(req.dateOfBirth, 'date_of_birth', today)
      : undefined;
    const gender =
      req.gender && req.gender !== registry.Gender.GENDER_UNSPECIFIED ? requireGender(req.gender) : undefined;
    const reason = requireText(req.reason, 'reason', 500);
    const content = [fullName ?? '', dateOfBirth ?? '', gender ?? '', reason];
    return this.once('CORRECT_BIRTH', req.requestId, citizenId, content, async (c) => {
      const row = await this.mustExist(c, citizenId);
      const storedBirth = row.date_of_birth;
      const genderNow = genderFromStored(row.gender);
      requireConsistentId(citizenId, dateOfBirth ?? storedBirth, gender ?? genderNow, today);
      return this.citizens.correctBirth(c, citizenId, {
        fullName,
        dateOfBirth,
        gender: gender ? storedGender(gender) : undefined,
      });
    });
  }

  /** A residence cancelled by a death that was revoked is registered again. */
  async restoreResidence(req: registry.RestorePermanentResidenceRequest): Promise<Answer> {
    const citizenId = requireCitizenId(req.citizenId, 'citizen_id', this.clock.today());
    const reason = requireText(req.reason, 'reason', 500);
    return this.once('RESTORE_RESIDENCE', req.requestId, citizenId, [reason], async (c) => {
      const row = await this.mustExist(c, citizenId);
      if (row.vital_status === 'DECEASED') {
        throw registryError(
          RegistryErrorCode.CitizenDeceased,
          `citizen ${citizenId} is recorded as deceased; revoke the death first`,
          'citizen_id',
        );
      }
      if (row.residence_status !== 'CANCELLED') {
        throw registryError(
          RegistryErrorCode.ResidenceNotCancelled,
          `citizen ${citizenId} has no cancelled permanent residence to restore (status ${row.residence_status})`,
          'citizen_id',
        );
      }
      return this.citizens.setResidence(c, citizenId, { status: 'REGISTERED' });
    });
  }

  /** The citizen, who must be recorded as dead on the date, or alive (a revocation already applied). */
  private async mustBeDeadOn(
    client: PoolClient,
    citizenId: string,
    dateOfDeath: string,
  ): Promise<CitizenRow> {
    const row = await this.mustExist(client, citizenId);
    if (row.vital_status === 'DECEASED' && row.date_of_death !== dateOfDeath) {
      throw registryError(
        RegistryErrorCode.DeathDiffers,
        `citizen ${citizenId} is recorded as deceased on another date than ${dateOfDeath}`,
        'date_of_death',
      );
    }
    return row;
  }

  private async mustExist(client: PoolClient, citizenId: string): Promise<CitizenRow> {
    const row = await this.citizens.findByIdForUpdate(client, citizenId);
    if (!row) {
      throw registryError(
        RegistryErrorCode.CitizenNotFound,
        `no citizen with citizen_id ${citizenId} in the registry`,
        'citizen_id',
      );
    }
    return row;
  }

  private async once(
    kind: string,
    requestId: string,
    citizenId: string,
    content: string[],
    work: (client: PoolClient) => Promise<CitizenRow>,
  ): Promise<Answer> {
    const id = requireText(requestId, 'request_id', 200);
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([kind, citizenId, ...content]))
      .digest('hex');
    const outcome = await this.requests.once({ requestId: id, kind, citizenId, fingerprint }, async (c) =>
      toCitizen(await work(c)),
    );
    if ('conflict' in outcome) {
      throw registryError(
        RegistryErrorCode.RequestIdReused,
        `request_id ${id} was already used for a different ${outcome.conflict.kind} request`,
        'request_id',
      );
    }
    return { citizen: outcome.response, replayed: outcome.replayed };
  }
}

function requireGender(value: registry.Gender): Gender {
  const gender = genderFromRegistry(value);
  if (gender) return gender;
  throw registryError(
    RegistryErrorCode.InvalidField,
    'gender must be GENDER_MALE or GENDER_FEMALE',
    'gender',
  );
}
