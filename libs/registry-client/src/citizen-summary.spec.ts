import { join } from 'node:path';
import fc from 'fast-check';
import * as protobuf from 'protobufjs';
import { PROTO_LOADER_OPTIONS, protoRoot, REGISTRY_PROTO_FILES } from '@vss/contracts';
import { registry } from '@vss/contracts';
import { citizenSummaryOf, decodeCitizenSummaries } from './citizen-summary';

/**
 * The export's lean decoding against protobufjs decoding the whole message with the options
 * proto-loader uses: every field matching reads must come out the same, whatever the citizen.
 */
const root = protobuf.loadSync(REGISTRY_PROTO_FILES.map((f) => join(protoRoot(), f)));
const Page = root.lookupType('npd.registry.v1.ExportCitizensResponse');

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 30 }));
// Codes and dates are read as shared strings when they have their usual form: the forms that
// nearly have it (a letter for a digit, another separator, one character more or less, digits
// beyond ASCII) must come out as they were sent.
const provinceCode = fc.oneof(
  fc.stringMatching(/^\d{3}$/),
  fc.stringMatching(/^[\d a/٣]{2,4}$/),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
);
const isoDate = fc.oneof(
  fc.constantFrom('1990-03-14', '2001-12-31', ''),
  fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
  fc.stringMatching(/^[\d\-/x]{9,11}$/),
  text,
);
const residence = fc.record({
  address: text,
  provinceCode,
  status: fc.constantFrom(0, 1, 2, 3),
});
const citizen = fc.record(
  {
    citizenId: fc.stringMatching(/^\d{12}$/),
    legacyId: fc.oneof(fc.constant(''), fc.stringMatching(/^\d{9}$/)),
    fullName: text,
    dateOfBirth: isoDate,
    gender: fc.constantFrom(0, 1, 2),
    birthProvinceCode: fc.oneof(fc.constant(''), provinceCode),
    permanentResidence: residence,
    vitalStatus: fc.constantFrom(0, 1, 2),
    dateOfDeath: fc.oneof(fc.constant(''), isoDate),
    updatedAt: fc.constantFrom('', '2025-01-02T03:04:05Z'),
  },
  { requiredKeys: ['citizenId'] },
);

describe('decodeCitizenSummaries', () => {
  it('reads every field matching uses as the full decoding does, and nothing else (property)', () => {
    fc.assert(
      fc.property(fc.array(citizen, { maxLength: 5 }), fc.string({ maxLength: 8 }), (citizens, cursor) => {
        const bytes = Page.encode(Page.fromObject({ citizens, cursor })).finish();
        const full = Page.toObject(Page.decode(bytes), PROTO_LOADER_OPTIONS) as {
          citizens: registry.Citizen[];
        };
        expect(decodeCitizenSummaries(bytes)).toEqual(full.citizens.map(citizenSummaryOf));
      }),
      { numRuns: 2000 },
    );
  });
});
