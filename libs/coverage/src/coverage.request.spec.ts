import fc from 'fast-check';
import { AppError, ErrorClass } from '@vss/platform';
import { BATCH_LIMIT, parseBatchRequest, parseListRequest, parseLookupRequest } from './coverage.request';

const TODAY = '2025-06-15';

/** Anything a client could put in a field: strings of every kind, or the wrong type altogether. */
const anyValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^\d{0,14}$/),
  fc.constantFrom('001085012345', '01001', '2025-06-15', 'GENDER_MALE', 'Nguyễn Văn An', ''),
  fc.integer(),
  fc.constant(null),
  fc.constant(undefined),
);

const anyRequest = fc.record(
  {
    citizenId: anyValue,
    qrPayload: fc.oneof(
      anyValue,
      fc.array(fc.string({ maxLength: 20 }), { maxLength: 9 }).map((f) => f.join('|')),
    ),
    facilityCode: anyValue,
    visitDate: anyValue,
    chip: fc.oneof(
      fc.constant(undefined),
      anyValue,
      fc.record({ fullName: anyValue, dateOfBirth: anyValue, gender: anyValue }, { requiredKeys: [] }),
    ),
  },
  { requiredKeys: [] },
);

/** Input problems must come out as INVALID_ARGUMENT naming a field: never a TypeError, never INTERNAL. */
function outcome(parse: () => unknown): 'ok' | 'invalid' {
  try {
    parse();
    return 'ok';
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    expect(error.errorClass).toBe(ErrorClass.InvalidArgument);
    expect(error.field).toMatch(/^[a-z_]+(\[\d+\])?(\.[a-z_]+)?$/);
    return 'invalid';
  }
}

describe('parseLookupRequest', () => {
  it('turns any request into a query or an INVALID_ARGUMENT naming the field', () => {
    fc.assert(
      fc.property(anyRequest, (request) => {
        outcome(() => parseLookupRequest(request as never, TODAY));
      }),
      { numRuns: 2000 },
    );
  });

  it('defaults the visit date to today and reads chip data from the QR payload', () => {
    const query = parseLookupRequest(
      {
        qrPayload: '001085012345||Nguyễn Văn An|12031985|Nam|Hà Nội|01022021',
        facilityCode: '01001',
        visitDate: '',
      },
      TODAY,
    );
    expect(query).toEqual({
      citizenId: '001085012345',
      facilityCode: '01001',
      visitDate: TODAY,
      subject: 'qr_payload',
      chip: { fullName: 'Nguyễn Văn An', dateOfBirth: '1985-03-12', gender: 'MALE' },
    });
  });

  it('leaves chip data out when every chip field is empty, as proto3 sends an absent message', () => {
    const query = parseLookupRequest(
      {
        citizenId: '001085012345',
        facilityCode: '01001',
        chip: { fullName: '', dateOfBirth: '', gender: 'GENDER_UNSPECIFIED' as never },
      },
      TODAY,
    );
    expect(query.chip).toBeUndefined();
  });

  it('names the QR field at fault in the message', () => {
    expect(() =>
      parseLookupRequest(
        { qrPayload: '001085012345||An|12031985|Nam|Hà Nội|01022099', facilityCode: '01001' },
        TODAY,
      ),
    ).toThrow(/issue date 2099-02-01 is in the future/);
  });
});

describe('parseBatchRequest', () => {
  it('turns any list into a batch or an INVALID_ARGUMENT naming the list or the entry', () => {
    fc.assert(
      fc.property(fc.array(anyValue, { maxLength: 8 }), anyValue, (citizenIds, facilityCode) => {
        outcome(() =>
          parseBatchRequest(
            { citizenIds: citizenIds as string[], facilityCode: facilityCode as string },
            TODAY,
          ),
        );
      }),
    );
  });

  it(`accepts ${BATCH_LIMIT} IDs and refuses one more`, () => {
    const ids = Array<string>(BATCH_LIMIT).fill('001085012345');
    expect(parseBatchRequest({ citizenIds: ids, facilityCode: '01001' }, TODAY).citizenIds).toHaveLength(
      BATCH_LIMIT,
    );
    expect(() => parseBatchRequest({ citizenIds: [...ids, ids[0]], facilityCode: '01001' }, TODAY)).toThrow(
      /at most 500/,
    );
  });
});

describe('parseListRequest', () => {
  it('turns any page token into a position or an INVALID_ARGUMENT', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.base64String()),
        fc.integer({ min: -5, max: 600 }),
        (pageToken, pageSize) => {
          outcome(() => parseListRequest({ citizenId: '001085012345', pageToken, pageSize }, TODAY));
        },
      ),
    );
  });
});
