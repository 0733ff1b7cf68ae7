import fc from 'fast-check';
import { citizenArb, genderArb, provinceCodeArb, vietnameseNameArb } from '../test/arbitraries';
import { MODEL } from '../test/model';
import { dateParts } from './dates';
import { scorePair } from './match-model';
import { explainPair } from './match-waterfall';

describe('explainPair', () => {
  const pairArb = fc.tuple(citizenArb, vietnameseNameArb, genderArb, provinceCodeArb, fc.boolean());

  it('adds up to the weight and probability scorePair gives, whatever the pair (property)', () => {
    fc.assert(
      fc.property(pairArb, ([c, otherName, otherGender, otherProvince, sameName]) => {
        const record = {
          fullName: sameName ? c.fullName : otherName,
          dateOfBirth: dateParts(c.dateOfBirth),
          gender: otherGender,
          provinceCode: otherProvince,
        };
        const citizen = {
          fullName: c.fullName,
          dateOfBirth: c.dateOfBirth,
          gender: c.gender,
          provinceCodes: [c.provinceCode],
        };
        const waterfall = explainPair(MODEL, record, citizen);
        const score = scorePair(MODEL, record, citizen);
        expect(waterfall.matchWeight).toBeCloseTo(score.matchWeight, 9);
        expect(waterfall.probability).toBeCloseTo(score.probability, 12);
        expect(waterfall.finalWeight).toBeCloseTo(waterfall.priorWeight + waterfall.matchWeight, 12);
        expect(waterfall.steps.map((s) => s.level)).toEqual(score.evidence.map((e) => e.level));
        for (const step of waterfall.steps) expect(step.weight).toBeCloseTo(Math.log2(step.m / step.u), 12);
      }),
    );
  });

  it('shows the name frequency of an exact common name as a negative adjustment, and none for other levels', () => {
    const citizen = {
      fullName: 'Nguyễn Văn An',
      dateOfBirth: '1990-03-14',
      gender: 'MALE',
      provinceCodes: ['001'],
    } as const;
    const exact = explainPair(
      MODEL,
      { fullName: 'Nguyễn Văn An', dateOfBirth: dateParts('1990-03-14') },
      citizen,
    );
    const name = exact.steps.find((s) => s.comparison === 'full_name')!;
    expect(name.level).toBe('EXACT');
    expect(name.termFrequencyAdjustment).toBeLessThan(0);
    const other = explainPair(MODEL, { fullName: 'Trần Thị Bích' }, citizen);
    expect(other.steps.find((s) => s.comparison === 'full_name')!.termFrequencyAdjustment).toBe(0);
    expect(exact.priorWeight).toBeCloseTo(
      Math.log2(MODEL.priorMatchProbability / (1 - MODEL.priorMatchProbability)),
      12,
    );
  });
});
