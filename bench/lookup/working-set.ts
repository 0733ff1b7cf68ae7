import * as grpc from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';
import { readFileSync } from 'node:fs';
import type { SampledIds } from './population';

/** The lookups bench:lookup sends: the mix of kinds, the working set, and a probe of each kind. */

export const MIX: Array<[keyof SampledIds, number]> = [
  ['covered', 0.7],
  ['expired', 0.1],
  ['deceased', 0.1],
  ['unknown', 0.1],
];
export const PATH = '/vss.gateway.v1.CoverageService/LookupCoverage';
const say = (line = '') => process.stdout.write(`${line}\n`);

/** IDs laid out in the mix's proportions; the client picks among them at random. */
export function workingSet(ids: SampledIds, size: number): string[] {
  const out: string[] = [];
  const counters = new Map<string, number>();
  for (let i = 0; i < size; i++) {
    const slot = i % 10;
    const kind: keyof SampledIds =
      slot < 7 ? 'covered' : slot === 7 ? 'expired' : slot === 8 ? 'deceased' : 'unknown';
    const list = ids[kind];
    if (list.length === 0) continue;
    const n = counters.get(kind) ?? 0;
    counters.set(kind, n + 1);
    out.push(list[n % list.length]);
  }
  return out;
}

/** One lookup of each kind: checks the gateway answers as expected and measures answer sizes. */
export async function probe(
  target: string,
  apiKey: string,
  ids: SampledIds,
  facilityCode: string,
  method: protoLoader.MethodDefinition<object, object>,
  caFile: string,
): Promise<number> {
  const client = new grpc.Client(target, grpc.credentials.createSsl(readFileSync(caFile)));
  const metadata = new grpc.Metadata();
  metadata.set('x-api-key', apiKey);
  let bytes = 0;
  try {
    for (const [kind, share] of MIX) {
      const citizenId = ids[kind][0];
      const answer = await new Promise<Buffer>((resolve, reject) =>
        client.makeUnaryRequest(
          PATH,
          (b: Buffer) => b,
          (b: Buffer) => b,
          method.requestSerialize({ citizenId, facilityCode, visitDate: '' }),
          metadata,
          (error, res) => (error ? reject(error) : resolve(res as Buffer)),
        ),
      );
      const decoded = method.responseDeserialize(answer) as { status: string; reason: string };
      say(
        `probe ${kind.padEnd(8)} ${citizenId}: ${decoded.status} ${decoded.reason} (${answer.length} bytes)`,
      );
      bytes += answer.length * share;
    }
  } finally {
    client.close();
  }
  return Math.round(bytes);
}
