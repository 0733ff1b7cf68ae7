import fc from 'fast-check';
import { citizenArb } from '../test/arbitraries';
import { PROVINCES } from './provinces';
import { inRange, planPartitions, runProgress, scopeKey } from './reconciliation-runs';

describe('planPartitions', () => {
  it('splits a whole-population run into citizen-ID ranges cut at province prefixes, open at both ends', () => {
    const plans = planPartitions({ kind: 'ALL' }, 4);
    expect(plans).toHaveLength(4);
    expect(plans.every((p) => p.kind === 'REGISTRY_RANGE')).toBe(true);
    expect(plans[0].lowerBound).toBe('');
    expect(plans[3].upperBound).toBe('');
    for (let i = 1; i < plans.length; i += 1) {
      expect(plans[i].lowerBound).toBe(plans[i - 1].upperBound);
      expect(PROVINCES.some((p) => p.code === plans[i].lowerBound)).toBe(true);
    }
  });

  const populationOf = (p: { lowerBound: string; upperBound: string }) =>
    PROVINCES.filter((v) => inRange(`${v.code}000000000`, p.lowerBound, p.upperBound)).reduce(
      (sum, v) => sum + v.populationThousands,
      0,
    );
  const country = PROVINCES.reduce((sum, v) => sum + v.populationThousands, 0);
  const largestProvince = Math.max(...PROVINCES.map((v) => v.populationThousands)) / country;

  it('balances the ranges by population: four partitions each within 3 points of a quarter', () => {
    const shares = planPartitions({ kind: 'ALL' }, 4).map((p) => populationOf(p) / country);
    for (const share of shares) expect(Math.abs(share - 0.25)).toBeLessThan(0.03);
  });

  it('cuts each range within one province of its fair share, and says its share (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 63 }), (count) => {
        const plans = planPartitions({ kind: 'ALL' }, count);
        let cumulative = 0;
        plans.forEach((p, i) => {
          const share = populationOf(p) / country;
          expect(p.share).toBeCloseTo(share, 9);
          cumulative += share;
          // Each cut is the province boundary nearest its target, after the cut before it: within
          // half a province of it, or one where a large province holds several targets.
          if (i < plans.length - 1)
            expect(Math.abs(cumulative - (i + 1) / count)).toBeLessThanOrEqual(largestProvince + 1e-9);
        });
        expect(cumulative).toBeCloseTo(1, 9);
      }),
    );
  });

  it('puts every citizen ID in exactly one partition, whatever the count (property)', () => {
    fc.assert(
      fc.property(citizenArb, fc.integer({ min: 1, max: 70 }), (citizen, count) => {
        const plans = planPartitions({ kind: 'ALL' }, count);
        expect(plans.filter((p) => inRange(citizen.citizenId, p.lowerBound, p.upperBound))).toHaveLength(1);
      }),
    );
  });

  it('splits a province run into social-insurance-code ranges', () => {
    const plans = planPartitions({ kind: 'PROVINCE', provinceCode: '001' }, 4);
    expect(plans.map((p) => [p.kind, p.lowerBound, p.upperBound])).toEqual([
      ['RECORDS', '', '25'],
      ['RECORDS', '25', '50'],
      ['RECORDS', '50', '75'],
      ['RECORDS', '75', ''],
    ]);
    for (const code of ['0000000000', '2499999999', '2500000000', '9999999999']) {
      expect(plans.filter((p) => inRange(code, p.lowerBound, p.upperBound))).toHaveLength(1);
    }
  });

  it('adds the registry changes to a changed-since run, numbered after the records', () => {
    const plans = planPartitions({ kind: 'CHANGED_SINCE', since: '2025-01-01' }, 2);
    expect(plans.map((p) => [p.partitionNo, p.kind])).toEqual([
      [0, 'RECORDS'],
      [1, 'RECORDS'],
      [2, 'CHANGED_CITIZENS'],
      [3, 'CHANGED_CITIZENS'],
    ]);
  });

  it('makes one partition when asked for one', () => {
    expect(planPartitions({ kind: 'ALL' }, 1)).toEqual([
      { partitionNo: 0, kind: 'REGISTRY_RANGE', lowerBound: '', upperBound: '', share: 1 },
    ]);
  });
});

describe('scopeKey', () => {
  it('names each scope so that one run per scope can be enforced', () => {
    expect(scopeKey({ kind: 'ALL' })).toBe('ALL:');
    expect(scopeKey({ kind: 'PROVINCE', provinceCode: '079' })).toBe('PROVINCE:079');
    expect(scopeKey({ kind: 'CHANGED_SINCE', since: '2025-01-01' })).toBe('CHANGED_SINCE:2025-01-01');
  });
});

describe('runProgress', () => {
  it('gives the speed since the start and the time left at that speed', () => {
    expect(
      runProgress({ processed: 500, total: 1500, startedAtMs: 0, nowMs: 10_000, finished: false }),
    ).toEqual({
      recordsPerSecond: 50,
      etaSeconds: 20,
    });
  });

  it('gives no estimate before the start, without a total, or once finished', () => {
    expect(runProgress({ processed: 0, total: 10, startedAtMs: null, nowMs: 5, finished: false })).toEqual({
      recordsPerSecond: 0,
      etaSeconds: 0,
    });
    expect(
      runProgress({ processed: 10, total: null, startedAtMs: 0, nowMs: 1000, finished: false }).etaSeconds,
    ).toBe(0);
    expect(runProgress({ processed: 10, total: 10, startedAtMs: 0, nowMs: 1000, finished: true })).toEqual({
      recordsPerSecond: 10,
      etaSeconds: 0,
    });
  });
});
