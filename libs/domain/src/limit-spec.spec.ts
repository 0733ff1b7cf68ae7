import fc from 'fast-check';
import {
  formatLimitSpec,
  LIMIT_WORDS,
  type LimitSpec,
  LimitSpecError,
  parseLimitSpec,
  ROLE_DEFAULTS,
  shareOf,
} from './limit-spec';

const positiveInt = fc.integer({ min: 1, max: 1_000_000 });
const spec: fc.Arbitrary<LimitSpec> = fc
  .record({
    rate: fc.option(fc.double({ min: 0.01, max: 10_000, noNaN: true }), { nil: undefined }),
    burst: fc.option(positiveInt, { nil: undefined }),
    daily: fc.option(positiveInt, { nil: undefined }),
    calls: fc.option(positiveInt, { nil: undefined }),
    streams: fc.option(positiveInt, { nil: undefined }),
    streamSeconds: fc.option(positiveInt, { nil: undefined }),
  })
  .map((s) => ({ ...s, burst: s.rate === undefined ? undefined : (s.burst ?? 10) }));

describe('parseLimitSpec', () => {
  it('reads back what formatLimitSpec writes, over any base', () => {
    fc.assert(
      fc.property(spec, spec, (written, base) => {
        expect(parseLimitSpec(formatLimitSpec(written), base)).toEqual(written);
      }),
    );
  });

  it('changes only the limits it names', () => {
    expect(parseLimitSpec('daily=50000', ROLE_DEFAULTS.clinic)).toEqual({
      ...ROLE_DEFAULTS.clinic,
      daily: 50_000,
    });
    expect(parseLimitSpec(' rate = 2.5 , burst=600 ', ROLE_DEFAULTS.clinic)).toMatchObject({
      rate: 2.5,
      burst: 600,
    });
    expect(parseLimitSpec('', ROLE_DEFAULTS.admin)).toEqual(ROLE_DEFAULTS.admin);
    expect(parseLimitSpec('streams=off', ROLE_DEFAULTS.clinic).streams).toBeUndefined();
  });

  it('names the part at fault', () => {
    expect(() => parseLimitSpec('speed=3', ROLE_DEFAULTS.clinic)).toThrow(
      /"speed" is not a limit; known: rate/,
    );
    expect(() => parseLimitSpec('daily=1.5', ROLE_DEFAULTS.clinic)).toThrow(
      /daily=1.5: must be a positive whole number/,
    );
    expect(() => parseLimitSpec('rate=-1', ROLE_DEFAULTS.clinic)).toThrow(/rate=-1/);
    expect(() => parseLimitSpec('rate', ROLE_DEFAULTS.clinic)).toThrow(/"rate" is not limit=value/);
    expect(() => parseLimitSpec('burst=off', ROLE_DEFAULTS.clinic)).toThrow(/rate and burst go together/);
  });

  it('refuses anything else with a LimitSpecError, never another error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        try {
          parseLimitSpec(text, ROLE_DEFAULTS.clinic);
        } catch (error) {
          expect(error).toBeInstanceOf(LimitSpecError);
        }
      }),
    );
  });

  it('knows every limit by one word', () => {
    expect(new Set(Object.values(LIMIT_WORDS)).size).toBe(Object.keys(LIMIT_WORDS).length);
  });
});

describe('shareOf', () => {
  it('gives N gateways together at least the limit and less than the limit plus N', () => {
    fc.assert(
      fc.property(positiveInt, fc.integer({ min: 1, max: 64 }), (limit, gateways) => {
        const share = shareOf(limit, gateways)!;
        expect(share).toBeGreaterThanOrEqual(1);
        expect(share * gateways).toBeGreaterThanOrEqual(limit);
        expect(share * gateways).toBeLessThan(limit + gateways);
      }),
    );
  });

  it('divides rates exactly and leaves no limit unlimited', () => {
    expect(shareOf(20, 4, true)).toBe(5);
    expect(shareOf(undefined, 4)).toBeUndefined();
    expect(shareOf(7, 0)).toBe(7);
  });
});
