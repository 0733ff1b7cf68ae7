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
 * Presence calls to the registry in flight at once; IDs asked meanwhile gather for the next one
 * (one at a time: the registry's time is per call, and waiting for the call ahead costs an ID a
 * few milliseconds of its deadline).
 */
const PRESENCE_CALLS_IN_FLIGHT = 1;
/** Most IDs in one presence call (the registry's batch limit). */
const PRESENCE_BATCH = 500;

interface PresenceWaiter {
  citizenId: string;
  /** When this ID's lookup stops waiting for the registry (Date.now() ms). */
  deadline: number;
  resolve(answer: RegistryAnswer): void;
}

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
  private waiting: PresenceWaiter[] = [];
  private presenceInFlight = 0;
  private presenceScheduled = false;
  readonly stats = { presenceCalls: 0, presenceIds: 0 };

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
   * citizen": UNREACHABLE for an ID the registry does not answer within the lookup's deadline.
   *
   * Lookups asking at about the same time share one batch call, one call in flight, the IDs
   * asked meanwhile gathering for the next (as coverage reads share a query): under load each
   * call to the registry answers many lookups.
   * An ID's deadline runs from when it was asked, waiting for a call included.
   */
  presence(citizenIds: readonly string[]): Promise<RegistryAnswer[]> {
    if (citizenIds.length === 0) return Promise.resolve([]);
    const deadline = Date.now() + this.deadlineMs;
    return Promise.all(
      citizenIds.map(
        (citizenId) =>
          new Promise<RegistryAnswer>((resolve) => {
            this.waiting.push({ citizenId, deadline, resolve });
            this.schedulePresence();
          }),
      ),
    );
  }

  private schedulePresence(): void {
    if (this.presenceScheduled || this.presenceInFlight >= PRESENCE_CALLS_IN_FLIGHT) return;
    this.presenceScheduled = true;
    // Let the lookups of this turn of the event loop join the call.
    setImmediate(() => {
      this.presenceScheduled = false;
      this.callPresence();
    });
  }

  private callPresence(): void {
    if (this.presenceInFlight >= PRESENCE_CALLS_IN_FLIGHT) return;
    const now = Date.now();
    const expired = this.waiting.filter((w) => w.deadline <= now);
    if (expired.length > 0) {
      this.waiting = this.waiting.filter((w) => w.deadline > now);
      for (const w of expired) w.resolve('UNREACHABLE');
    }
    if (this.waiting.length === 0) return;
    const batch = this.waiting.splice(0, PRESENCE_BATCH);
    const ids = [...new Set(batch.map((w) => w.citizenId))];
    const deadlineMs = Math.max(1, Math.min(...batch.map((w) => w.deadline)) - now);
    this.presenceInFlight++;
    this.stats.presenceCalls++;
    this.stats.presenceIds += ids.length;
    this.registryClient
      .batchGetCitizens(ids, { deadlineMs, attempts: 1 })
      .then(
        (found) => {
          // The registry answers in the order asked.
          const answers = new Map<string, RegistryAnswer>(
            ids.map((id, i) => [id, found[i] ? (found[i].found ? 'KNOWN' : 'NOT_FOUND') : 'UNREACHABLE']),
          );
          for (const w of batch) w.resolve(answers.get(w.citizenId) ?? 'UNREACHABLE');
        },
        (error: unknown) => {
          this.logger.debug({ err: error, ids: ids.length }, 'registry presence: no answer in time');
          for (const w of batch) w.resolve('UNREACHABLE');
        },
      )
      .finally(() => {
        this.presenceInFlight--;
        if (this.waiting.length > 0) this.schedulePresence();
      });
    if (this.waiting.length > 0) this.schedulePresence();
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
