import { QR_MAX_LENGTH } from '@vss/domain';
import { BATCH_LIMIT } from '@vss/coverage';
import { VSS_GATEWAY_V1_PACKAGE_NAME } from '@vss/contracts';
import type { RequestLimits } from '@vss/platform';

const KIB = 1024;
const path = (service: string, method: string) => `/${VSS_GATEWAY_V1_PACKAGE_NAME}.${service}/${method}`;

/**
 * The largest request each gateway method takes, in bytes of its protobuf encoding, checked
 * before the bytes are decoded and before the caller is authenticated. A lookup is small: the
 * longest QR payload a citizen-ID card carries in UTF-8 and the chip's fields; a batch is its
 * largest count of IDs with room for malformed ones the validator names; applying findings may
 * list every finding of a run by ID and takes the server's maximum. Everything else — filings,
 * reviews, approvals, queries — is text a person typed or an ID, and takes 64 KiB.
 */
export function gatewayRequestLimits(maxMessageBytes: number): RequestLimits {
  return {
    defaultBytes: 64 * KIB,
    byMethod: {
      [path('CoverageService', 'LookupCoverage')]: QR_MAX_LENGTH * 4 + 4 * KIB,
      [path('CoverageService', 'BatchLookupCoverage')]: BATCH_LIMIT * 64 + 1 * KIB,
      [path('ReconciliationService', 'ApplyFindings')]: maxMessageBytes,
    },
  };
}
