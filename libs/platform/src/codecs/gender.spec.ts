import fc from 'fast-check';
import { Gender as WireGender, registry } from '@vss/contracts';
import { genderFromGateway, genderFromRegistry, gatewayGender, registryGender } from './gender';

describe('gender from the wire', () => {
  it.each([
    ['the gateway', genderFromGateway, gatewayGender, WireGender],
    ['the registry', genderFromRegistry, registryGender, registry.Gender],
  ] as const)('reads MALE and FEMALE of %s enum, and nothing else (property)', (_, from, to, wire) => {
    for (const gender of ['MALE', 'FEMALE'] as const) {
      expect(from(to(gender))).toBe(gender);
      expect(from(wire[to(gender)])).toBe(gender);
    }
    expect(from(wire.GENDER_UNSPECIFIED)).toBeUndefined();
    expect(from('GENDER_UNSPECIFIED')).toBeUndefined();
    expect(from(undefined)).toBeUndefined();
    const known = new Set<unknown>([to('MALE'), to('FEMALE'), 'GENDER_MALE', 'GENDER_FEMALE']);
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.string(), fc.constantFrom('MALE', 'FEMALE', 'gender_male')),
        (v) => {
          fc.pre(!known.has(v));
          expect(from(v)).toBeUndefined();
        },
      ),
    );
  });
});
