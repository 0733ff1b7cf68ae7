import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import {
  type AmendmentKind,
  type BirthRegistrationFacts,
  type CivilEventPayload,
  type DeathRegistrationFacts,
  isAmendment,
  type LinkedProcedureKind,
  type LinkedProcedureState,
  PROCEDURE_TRANSITIONS,
} from '@vss/domain/linked-procedures';
import { PG_POOL, withTransaction } from '@vss/platform';
import { type AcceptOutcome, ProceduresRepository } from './procedures.repository';
import { earlierRegistration } from './step';

/** A registration as an amendment finds it. */
export interface OriginalRegistration {
  procedureId: string;
  officeCode: string;
  eventId: string;
  kind: LinkedProcedureKind;
  state: LinkedProcedureState;
  payload: CivilEventPayload;
}

/** The facts of a registration as they stand: as filed, with every completed correction applied. */
export type FactsInForce = { death: DeathRegistrationFacts } | { birth: BirthRegistrationFacts };

export type AmendmentOutcome = AcceptOutcome | { status: 'refused'; message: string };

/** Settled states in which a registration's effects are known and can be undone or redone. */
const AMENDABLE: readonly LinkedProcedureState[] = ['COMPLETED', 'NEEDS_REVIEW', 'RESOLVED'];
const CLOSED: readonly LinkedProcedureState[] = ['COMPLETED', 'RESOLVED', 'REJECTED'];

/**
 * Accepts revocations and corrections of registrations: under a lock of the original's
 * procedure, so that two amendments of one registration are decided one after the other. A
 * registration is amended once at a time, revoked at most once, and only once its own procedure
 * has settled; an original waiting in review is closed by its revocation or correction (which
 * compensates whatever it did), so that nobody retries it afterwards.
 */
@Injectable()
export class AmendmentsRepository {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly procedures: ProceduresRepository,
  ) {}

  /** The registration filed as (office, event ID), or undefined. */
  async original(key: { officeCode: string; eventId: string }, client?: PoolClient) {
    const { rows } = await (client ?? this.pool).query<{
      procedure_id: string;
      kind: LinkedProcedureKind;
      state: LinkedProcedureState;
      payload: CivilEventPayload;
    }>(
      `SELECT p.procedure_id, p.kind, p.state, e.payload
         FROM vss.procedures p JOIN vss.civil_events e USING (office_code, event_id)
        WHERE p.office_code = $1 AND p.event_id = $2 ${client ? 'FOR UPDATE OF p' : ''}`,
      [key.officeCode, key.eventId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      procedureId: row.procedure_id,
      officeCode: key.officeCode,
      eventId: key.eventId,
      kind: row.kind,
      state: row.state,
      payload: row.payload,
    } satisfies OriginalRegistration;
  }

  async accept(
    amendment: {
      kind: AmendmentKind;
      original: { officeCode: string; eventId: string };
      filing: { officeCode: string; eventId: string };
      subjectCitizenId: string;
      fingerprint: string;
      acceptedOn: string;
      build: (original: OriginalRegistration, facts: FactsInForce) => CivilEventPayload;
    },
    jobExpireSeconds: number,
    audit: (client: PoolClient, outcome: AcceptOutcome, resolvedOriginal: boolean) => Promise<unknown>,
  ): Promise<AmendmentOutcome> {
    return withTransaction(this.pool, async (client) => {
      const repeat = await this.procedures.filed(client, amendment.filing, amendment.fingerprint);
      if (repeat) {
        await audit(client, repeat, false);
        return repeat;
      }
      const original = await this.original(amendment.original, client);
      if (!original) return { status: 'refused', message: 'no such registration' };
      const refusal = await this.refusal(client, original, amendment.filing);
      if (refusal) return { status: 'refused', message: refusal };
      const facts = await this.factsInForce(client, original);
      const resolvedOriginal =
        original.state === 'NEEDS_REVIEW' && (await this.closeOriginal(client, original, amendment));
      const outcome = await this.procedures.acceptWithin(
        client,
        {
          payload: amendment.build(original, facts),
          subjectCitizenId: amendment.subjectCitizenId,
          fingerprint: amendment.fingerprint,
          acceptedOn: amendment.acceptedOn,
          originalProcedureId: original.procedureId,
        },
        randomUUID(),
        jobExpireSeconds,
      );
      await audit(client, outcome, resolvedOriginal);
      return outcome;
    });
  }

  /** Why this registration cannot be amended now, in words for the filing office; undefined when it can. */
  private async refusal(
    client: PoolClient,
    original: OriginalRegistration,
    filing: { officeCode: string },
  ): Promise<string | undefined> {
    if (isAmendment(original.kind)) {
      return 'is itself a revocation or correction: refer to the registration it amends';
    }
    if (original.state === 'REJECTED') {
      return 'was rejected by an approver: it changed nothing, so there is nothing to revoke or correct';
    }
    if (!AMENDABLE.includes(original.state)) {
      return (
        `is still being carried out (its procedure is ${original.state}): file again once it has settled; ` +
        'a registration awaiting approval is refused by the approver instead'
      );
    }
    const { rows } = await client.query<{
      procedure_id: string;
      office_code: string;
      event_id: string;
      kind: AmendmentKind;
      state: LinkedProcedureState;
    }>(
      `SELECT procedure_id, office_code, event_id, kind, state FROM vss.procedures
        WHERE original_procedure_id = $1 ORDER BY seq`,
      [original.procedureId],
    );
    for (const row of rows) {
      const earlier = {
        procedureId: row.procedure_id,
        officeCode: row.office_code,
        eventId: row.event_id,
        state: row.state,
      };
      if (row.kind.endsWith('REVOCATION') && row.state !== 'REJECTED') {
        return `was already revoked ${earlierRegistration(earlier, filing)}`;
      }
      if (!CLOSED.includes(row.state)) {
        return `is being amended ${earlierRegistration(earlier, filing)}: file again once that has settled`;
      }
    }
    return undefined;
  }

  /** The registration's facts with its completed corrections applied, oldest first. */
  private async factsInForce(client: PoolClient, original: OriginalRegistration): Promise<FactsInForce> {
    const { rows } = await client.query<{ payload: CivilEventPayload }>(
      `SELECT e.payload FROM vss.procedures p JOIN vss.civil_events e USING (office_code, event_id)
        WHERE p.original_procedure_id = $1 AND p.state = 'COMPLETED' AND p.kind = ANY($2::text[])
        ORDER BY p.seq`,
      [original.procedureId, ['DEATH_CORRECTION', 'BIRTH_CORRECTION']],
    );
    const payload = original.payload;
    if ('death' in payload) {
      let death = payload.death;
      for (const { payload: c } of rows)
        if (c.kind === 'DEATH_CORRECTION') death = { ...death, ...c.corrected };
      return { death };
    }
    let birth = payload.birth;
    for (const { payload: c } of rows)
      if (c.kind === 'BIRTH_CORRECTION') birth = { ...birth, ...c.corrected };
    return { birth };
  }

  /** `resolve` of an original waiting in review: its amendment decides what becomes of its effects. */
  private async closeOriginal(
    client: PoolClient,
    original: OriginalRegistration,
    amendment: { kind: AmendmentKind; filing: { officeCode: string; eventId: string } },
  ): Promise<boolean> {
    const verb = amendment.kind.endsWith('REVOCATION') ? 'revoked' : 'corrected';
    const { rowCount } = await client.query(
      `UPDATE vss.procedures SET state = $3, current_step = NULL, version = version + 1, updated_at = now(),
          resolution_note = $2
        WHERE procedure_id = $1 AND state = ANY($4::text[])`,
      [
        original.procedureId,
        `closed: the registration was ${verb} by office ${amendment.filing.officeCode} ` +
          `(event ${amendment.filing.eventId}); that procedure compensates what this one did`,
        PROCEDURE_TRANSITIONS.resolve.to[0],
        PROCEDURE_TRANSITIONS.resolve.from,
      ],
    );
    return (rowCount ?? 0) > 0;
  }
}
