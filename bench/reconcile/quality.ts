import type { Pool } from 'pg';
import { FINDING_OUTCOMES } from '@vss/domain/reconciliation';

/**
 * Scores a reconciliation run against the synthetic generator's truth (synth.truth: the
 * outcome every injected discrepancy must reach; a record absent there is clean). Used by the
 * benchmark and by the quality test on a generated population. Reads the synth schema, which
 * the apps never do: this is measurement, not production.
 */

export type ScoredOutcome = (typeof FINDING_OUTCOMES)[number];

export interface OutcomeQuality {
  outcome: ScoredOutcome;
  /** Findings of this outcome. */
  found: number;
  /** Records the truth says reach this outcome. */
  expected: number;
  truePositives: number;
  /** 1 when nothing was found (no false positive); NaN never reported. */
  precision: number;
  /** 1 when nothing was expected. */
  recall: number;
}

/** How the records of one injected kind came out. */
export interface KindQuality {
  kind: string;
  /** The outcome the truth says the kind must reach (MATCHED: no finding). */
  expected: string;
  records: number;
  /** Records that reached it. */
  reached: number;
  recall: number;
  /** Findings written on these records, and how many have the expected outcome. */
  findings: number;
  precision: number;
  /** MISSING_ID kinds: records whose true citizen is the first candidate. */
  trueFirst: number | null;
}

export interface RunQuality {
  outcomes: OutcomeQuality[];
  kinds: KindQuality[];
  /** MISSING_ID records whose true citizen is the first candidate. */
  missingIdTopCandidate: { records: number; trueFirst: number; share: number };
  /** Findings on records the truth says are clean (absent from it, or MATCHED), and their share. */
  findingsOnCleanRecords: number;
  cleanRecords: number;
  cleanFindingShare: number;
}

/** Precision and recall per outcome, and how often the true person is the top candidate. */
export async function scoreRun(pool: Pool, runId: string): Promise<RunQuality> {
  const { rows } = await pool.query<{ outcome: ScoredOutcome; found: string; expected: string; tp: string }>(
    `WITH f AS (SELECT social_insurance_code AS sic, outcome FROM vss.reconciliation_findings WHERE run_id = $1),
          t AS (SELECT social_insurance_code AS sic, outcome FROM synth.truth),
          o AS (SELECT unnest($2::text[]) AS outcome)
     SELECT o.outcome,
            (SELECT count(*) FROM f WHERE f.outcome = o.outcome) AS found,
            (SELECT count(*) FROM t WHERE t.outcome = o.outcome) AS expected,
            (SELECT count(*) FROM f JOIN t USING (sic) WHERE f.outcome = o.outcome AND t.outcome = o.outcome) AS tp
       FROM o`,
    [runId, FINDING_OUTCOMES],
  );
  const outcomes = rows.map((r) => {
    const found = Number(r.found);
    const expected = Number(r.expected);
    const truePositives = Number(r.tp);
    return {
      outcome: r.outcome,
      found,
      expected,
      truePositives,
      precision: found === 0 ? 1 : truePositives / found,
      recall: expected === 0 ? 1 : truePositives / expected,
    };
  });
  const top = await pool.query<{ records: string; true_first: string }>(
    `SELECT count(*) AS records,
            count(*) FILTER (WHERE f.candidates -> 0 ->> 'citizenId' = t.citizen_id) AS true_first
       FROM synth.truth t
       LEFT JOIN vss.reconciliation_findings f
         ON f.run_id = $1 AND f.social_insurance_code = t.social_insurance_code AND f.outcome = t.outcome
      WHERE t.outcome = 'MISSING_ID_CANDIDATE'`,
    [runId],
  );
  const clean = await pool.query<{ n: string; clean: string }>(
    `SELECT (SELECT count(*) FROM vss.reconciliation_findings f
              WHERE f.run_id = $1 AND NOT EXISTS (SELECT 1 FROM synth.truth t
                     WHERE t.social_insurance_code = f.social_insurance_code AND t.outcome <> 'MATCHED')) AS n,
            (SELECT count(*) FROM vss.participants p WHERE NOT EXISTS (SELECT 1 FROM synth.truth t
                     WHERE t.social_insurance_code = p.social_insurance_code AND t.outcome <> 'MATCHED')) AS clean`,
    [runId],
  );
  const byKind = await pool.query<{
    kind: string;
    expected: string;
    records: string;
    reached: string;
    findings: string;
    right: string;
    true_first: string;
  }>(
    `SELECT t.detail ->> 'kind' AS kind, t.outcome AS expected, count(*) AS records,
            count(*) FILTER (WHERE CASE WHEN t.outcome = 'MATCHED' THEN f.outcome IS NULL
                                        ELSE f.outcome = t.outcome END) AS reached,
            count(f.outcome) AS findings,
            count(*) FILTER (WHERE f.outcome = t.outcome) AS right,
            count(*) FILTER (WHERE f.outcome = 'MISSING_ID_CANDIDATE'
                               AND f.candidates -> 0 ->> 'citizenId' = t.citizen_id) AS true_first
       FROM synth.truth t
       LEFT JOIN vss.reconciliation_findings f ON f.run_id = $1 AND f.social_insurance_code = t.social_insurance_code
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [runId],
  );
  const kinds = byKind.rows.map((r): KindQuality => {
    const records = Number(r.records);
    const findings = Number(r.findings);
    return {
      kind: r.kind,
      expected: r.expected,
      records,
      reached: Number(r.reached),
      recall: records === 0 ? 1 : Number(r.reached) / records,
      findings,
      precision: findings === 0 ? 1 : Number(r.right) / findings,
      trueFirst: r.expected === 'MISSING_ID_CANDIDATE' ? Number(r.true_first) : null,
    };
  });
  const records = Number(top.rows[0].records);
  const trueFirst = Number(top.rows[0].true_first);
  const cleanRecords = Number(clean.rows[0].clean);
  const findingsOnCleanRecords = Number(clean.rows[0].n);
  return {
    outcomes,
    kinds,
    missingIdTopCandidate: { records, trueFirst, share: records === 0 ? 1 : trueFirst / records },
    findingsOnCleanRecords,
    cleanRecords,
    cleanFindingShare: cleanRecords === 0 ? 0 : findingsOnCleanRecords / cleanRecords,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** The quality figures as a table for a terminal or docs/benchmarks.md. */
export function formatQuality(q: RunQuality): string {
  const lines = [
    '| outcome | found | expected | true positives | precision | recall |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...q.outcomes.map(
      (o) =>
        `| ${o.outcome} | ${o.found} | ${o.expected} | ${o.truePositives} | ${pct(o.precision)} | ${pct(o.recall)} |`,
    ),
  ];
  lines.push(
    '',
    '| injected kind | must reach | records | reached | recall | findings | precision | true person first |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...q.kinds.map(
      (k) =>
        `| ${k.kind} | ${k.expected === 'MATCHED' ? 'no finding' : k.expected} | ${k.records} | ${k.reached} | ${pct(k.recall)} | ${k.findings} | ${pct(k.precision)} | ${
          k.trueFirst === null ? '' : `${k.trueFirst} (${pct(k.records === 0 ? 1 : k.trueFirst / k.records)})`
        } |`,
    ),
    '',
    `true person is the top candidate for ${q.missingIdTopCandidate.trueFirst} of ${q.missingIdTopCandidate.records} MISSING_ID records (${pct(q.missingIdTopCandidate.share)}); findings on clean records: ${q.findingsOnCleanRecords} of ${q.cleanRecords} (${pct(q.cleanFindingShare)})`,
  );
  return lines.join('\n');
}
