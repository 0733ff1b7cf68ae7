import type { Finding } from '@vss/contracts';
import { FINDINGS, RUN_ID, seedManyFindings as seed } from './many-findings';
import { startSystem, type System } from './support';

/**
 * Listing and applying findings page by page: always exactly the run's findings, each once,
 * whatever the page size and wherever a listing resumes. Finding IDs run past every power of
 * ten, where an order by the text of the ID (…, 10, 100, 1000, 1001, …, 11, …) would skip.
 */
const MAX_PAGE = 5000;

let system: System;

beforeAll(async () => {
  // Thousands of findings in one application: no approver is asked for here (see approvals tests);
  // the worker applies them.
  system = await startSystem('findingspaging', {
    seed,
    gatewayConfig: { APPLY_APPROVAL_OVER: FINDINGS },
  });
});

afterAll(() => system?.stop());

async function list(request: {
  pageSize?: number;
  after?: string;
  outcomes?: string[];
  provinceCode?: string;
}) {
  const findings: Finding[] = [];
  const cursors: string[] = [];
  for await (const page of system.admin.findings({ runId: RUN_ID, ...request } as never)) {
    findings.push(...page.findings);
    cursors.push(page.cursor);
  }
  return { ids: findings.map((f) => Number(f.findingId)), findings, cursors };
}

let allIds: number[];

beforeAll(async () => {
  const { rows } = await system.pool.query<{ id: string }>(
    `SELECT finding_id::text AS id FROM vss.reconciliation_findings WHERE run_id = $1 ORDER BY finding_id`,
    [RUN_ID],
  );
  allIds = rows.map((r) => Number(r.id));
});

const ascending = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('ListFindings page by page', () => {
  it('has a run whose finding IDs cross several powers of ten', () => {
    expect(allIds).toHaveLength(FINDINGS);
    expect(allIds[0]).toBeLessThan(10);
    expect(allIds[allIds.length - 1]).toBeGreaterThan(1000);
  });

  it.each([1, 7, 100, 500, MAX_PAGE])(
    'lists every finding once, in ID order, with pages of %i',
    async (pageSize) => {
      const { ids, cursors } = await list({ pageSize });
      expect(ids).toEqual(allIds);
      expect(cursors).toHaveLength(Math.ceil(FINDINGS / pageSize));
      expect(cursors.map(Number)).toEqual(ascending(cursors.map(Number)));
    },
  );

  it.each([1, 7, 100, 500])('lists exactly the filtered findings with pages of %i', async (pageSize) => {
    const { rows } = await system.pool.query<{ id: string }>(
      `SELECT finding_id::text AS id FROM vss.reconciliation_findings
        WHERE run_id = $1 AND outcome IN ('NOT_IN_REGISTRY', 'FIELD_MISMATCH') AND province_code = '079'
        ORDER BY finding_id`,
      [RUN_ID],
    );
    const { ids } = await list({
      pageSize,
      outcomes: ['OUTCOME_NOT_IN_REGISTRY', 'OUTCOME_FIELD_MISMATCH'],
      provinceCode: '079',
    });
    expect(ids).toEqual(rows.map((r) => Number(r.id)));
  });

  it('resumes from every cursor exactly where the listing stopped', async () => {
    const { cursors } = await list({ pageSize: 100 });
    for (const cursor of cursors) {
      const { ids } = await list({ pageSize: 500, after: cursor });
      expect(ids).toEqual(allIds.filter((id) => id > Number(cursor)));
    }
  });
});

describe('ApplyFindings over many batches', () => {
  it('applies every finding of the outcome, each once, and nothing the second time', async () => {
    const expected = allIds.length * (2 / 5);
    const first = await system.admin.applyFindings({
      runId: RUN_ID,
      outcomes: ['OUTCOME_FIELD_MISMATCH'] as never,
    });
    expect(first.applied.reduce((n, a) => n + Number(a.count), 0)).toBe(expected);
    const { rows } = await system.pool.query<{ renamed: number; left: number }>(
      `SELECT count(*) FILTER (WHERE full_name = 'Nguyễn Văn A')::int AS renamed,
              count(*) FILTER (WHERE full_name = 'Nguyen Van A')::int AS left
         FROM vss.participants`,
    );
    expect(rows[0]).toEqual({ renamed: expected, left: 0 });
    const second = await system.admin.applyFindings({
      runId: RUN_ID,
      outcomes: ['OUTCOME_FIELD_MISMATCH'] as never,
    });
    expect(second.applied.reduce((n, a) => n + Number(a.count), 0)).toBe(0);
  });
});
