import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { registry } from '@vss/contracts';
import { type ChipIdentity, compareIdentity, maskCitizenId, type RegistryAnswer } from '@vss/domain';
import { genderFromRegistry, type GatewayConfig } from '@vss/platform';
import { RegistryClient } from '@vss/registry-client';
import { APP_CONFIG, LOGGER } from '@vss/platform';

export type IdentityOutcome = 'NOT_CHECKED' | 'VERIFIED' | 'MISMATCH' | 'UNAVAILABLE';

export interface IdentityVerdict {
  result: IdentityOutcome;
  /** full_name, date_of_birth, gender; `citizen_id` when the registry has no such citizen. */
  mismatchedFields: string[];
  /** What the registry said of the ID, when it was asked. */
  registry?: RegistryAnswer;
}

const NOT_CHECKED: IdentityVerdict = Object.freeze({ result: 'NOT_CHECKED', mismatchedFields: [] });

/**
 * Compares what the chip of the citizen ID card says with the population registry (NPD).
 *
 * The receptionist is waiting, so the registry gets one attempt with a short deadline
 * (REGISTRY_LOOKUP_DEADLINE_MS) and no retries; when it is slow or down the answer says
 * UNAVAILABLE and coverage is answered all the same, from VSS's own records.
 */
@Injectable()
export class IdentityCheck {
  private readonly deadlineMs: number;

  constructor(
    private readonly registryClient: RegistryClient,
    @Inject(APP_CONFIG) config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.deadlineMs = config.REGISTRY_LOOKUP_DEADLINE_MS;
  }

  check(citizenId: string, chip: ChipIdentity | undefined): Promise<IdentityVerdict> {
    if (!chip) return Promise.resolve(NOT_CHECKED);
    return this.compare(citizenId, chip);
  }

  /**
   * Whether the registry knows IDs that VSS has no record of, for telling "no card" from "no such
   * citizen": one batch call under the lookup's deadline; UNREACHABLE for all when it does not answer.
   */
  async presence(citizenIds: readonly string[]): Promise<RegistryAnswer[]> {
    if (citizenIds.length === 0) return [];
    try {
      const found = await this.registryClient.batchGetCitizens([...citizenIds], {
        deadlineMs: this.deadlineMs,
        attempts: 1,
      });
      return found.map((r) => (r.found ? 'KNOWN' : 'NOT_FOUND'));
    } catch (error) {
      this.logger.debug({ err: error, ids: citizenIds.length }, 'registry presence: no answer in time');
      return citizenIds.map(() => 'UNREACHABLE');
    }
  }

  private async compare(citizenId: string, chip: ChipIdentity): Promise<IdentityVerdict> {
    let citizen: registry.Citizen | undefined;
    try {
      citizen = await this.registryClient.getCitizen(citizenId, { deadlineMs: this.deadlineMs, attempts: 1 });
    } catch (error) {
      this.logger.debug(
        { err: error, citizenId: maskCitizenId(citizenId) },
        'identity check: registry did not answer',
      );
      return { result: 'UNAVAILABLE', mismatchedFields: [], registry: 'UNREACHABLE' };
    }
    // A chip carrying an ID the registry never issued: the card itself is in doubt.
    if (!citizen) return { result: 'MISMATCH', mismatchedFields: ['citizen_id'], registry: 'NOT_FOUND' };
    const comparison = compareIdentity(chip, {
      fullName: citizen.fullName,
      dateOfBirth: citizen.dateOfBirth,
      gender: genderFromRegistry(citizen.gender),
    });
    const mismatchedFields = [...comparison.mismatchedFields];
    if (comparison.result === 'NOT_CHECKED') return { ...NOT_CHECKED, registry: 'KNOWN' };
    return {
      result: mismatchedFields.length === 0 ? 'VERIFIED' : 'MISMATCH',
      mismatchedFields,
      registry: 'KNOWN',
    };
  }
}
