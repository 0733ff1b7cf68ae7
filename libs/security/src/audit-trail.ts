import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Caller } from './caller';

export interface AuditEntry {
  caller: Caller;
  /** What was done, e.g. `coverage.lookup`, `civil-event.death.submit`. */
  action: string;
  subjectCitizenId?: string;
  facilityCode?: string;
  officeCode?: string;
  /** Why, e.g. `reception`, `linked-procedure`, `reconciliation`. */
  purpose: string;
  /** The result, e.g. `COVERED`, `NOT_COVERED:CARD_EXPIRED`, `ACCEPTED`. */
  outcome: string;
  detail?: Record<string, unknown>;
}

interface Pending {
  id: string;
  at: Date;
  entry: AuditEntry;
  done: (error?: unknown) => void;
}

export interface AuditTrailOptions {
  /** Longest wait for more entries before a batch is committed. */
  flushMs: number;
  maxBatch: number;
}

/**
 * The append-only audit trail with group commit: `record` resolves only once the entry is
 * committed, so an answer that waits for it can never outlive its record, and entries of
 * concurrent calls share one INSERT and one commit.
 */
export class AuditTrail {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private readonly maxInFlight = 4;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly options: AuditTrailOptions,
  ) {}

  /** Writes an entry; resolves with its ID once it is durable. */
  record(entry: AuditEntry): Promise<string> {
    if (this.closed) return Promise.reject(new Error('audit trail is closed'));
    const id = randomUUID();
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ id, at: new Date(), entry, done: (e) => (e ? reject(e) : resolve(id)) });
      if (this.queue.length >= this.options.maxBatch) this.flush();
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.options.flushMs);
    });
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.queue.length === 0) return;
    // A few batches in flight at once; more would only queue on the pool.
    if (this.inFlight >= this.maxInFlight) {
      this.timer = setTimeout(() => this.flush(), this.options.flushMs || 1);
      return;
    }
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.inFlight++;
    this.write(batch)
      .then(
        () => batch.forEach((p) => p.done()),
        (error) => batch.forEach((p) => p.done(error)),
      )
      .finally(() => {
        this.inFlight--;
        if (this.queue.length > 0 && !this.timer) this.flush();
      });
  }

  private async write(batch: Pending[]): Promise<void> {
    const col = <T>(f: (p: Pending) => T) => batch.map(f);
    await this.pool.query({
      name: 'vss-audit-insert',
      text: `INSERT INTO vss.audit_events (event_id, occurred_at, caller, caller_role, facility_code, office_code,
               action, subject_citizen_id, purpose, outcome, detail)
             SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
               $7::text[], $8::text[], $9::text[], $10::text[], $11::jsonb[])`,
      values: [
        col((p) => p.id),
        col((p) => p.at.toISOString()),
        col((p) => `${p.entry.caller.label} (${p.entry.caller.id})`),
        col((p) => p.entry.caller.role),
        col((p) => p.entry.facilityCode ?? p.entry.caller.facilityCode ?? null),
        col((p) => p.entry.officeCode ?? p.entry.caller.officeCode ?? null),
        col((p) => p.entry.action),
        col((p) => p.entry.subjectCitizenId ?? null),
        col((p) => p.entry.purpose),
        col((p) => p.entry.outcome),
        col((p) => JSON.stringify(p.entry.detail ?? {})),
      ],
    });
  }

  /** Commits what is queued and refuses new entries. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0 || this.inFlight > 0) {
      this.flush();
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
