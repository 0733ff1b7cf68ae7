/**
 * Where a server's main thread spent its time, from V8 CPU profiles: each sample is charged to one
 * part of the call by its stack, and the parts are given in µs per call.
 *
 * A sample's part, looking from the innermost frame outwards:
 * - logging or metrics wherever they are on the stack (pino, prom-client, our tallies): they are
 *   paid for by whoever calls them, and are worth seeing apart;
 * - else the innermost frame of our own code (libs/, apps/): its file says the part (a guard, the
 *   coverage read, the audit entry …), including what it calls in libraries (the `pg` call that
 *   appends a batch is the audit's);
 * - else the innermost library frame: `pg` (answers arriving), protobuf, NestJS and rxjs, grpc-js;
 * - else Node's own modules: TLS, HTTP/2 and sockets are the transport, the rest (promise jobs,
 *   timers) the event loop;
 * - `(garbage collector)` and `(program)` (native work with no JavaScript on the stack: the event
 *   loop, TLS records and socket reads) as V8 names them; `(idle)` is not busy time.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export const PARTS = [
  'transport: TLS, HTTP/2, grpc-js',
  'native, no JavaScript on the stack (event loop, TLS records, sockets)',
  'protobuf: decode the request, encode the answer',
  'NestJS pipeline and rxjs',
  'guard: size, decoding, control characters',
  'guard: authentication (key or certificate)',
  'guard and service: request fields',
  'interceptor: per-caller limits',
  'coverage read (cache, records query)',
  'identity check and registry presence',
  'decision, answer and receipt',
  'audit entry: build, queue, append, receipt',
  'PostgreSQL driver (pg): queries out, answers in',
  'logging',
  'metrics and tallies',
  'event loop: promise jobs, timers',
  'garbage collection (main thread)',
  'other',
] as const;
export type Part = (typeof PARTS)[number];

const OURS = /\/(libs|apps)\/([^/]+)\/src\/(.*)$/;

/** Our own code's part by its library and file; undefined for code a lookup does not run. */
function ourPart(lib: string, file: string): Part {
  if (file.includes('logging')) return 'logging';
  if (file.includes('metrics') || file.includes('call-tally')) return 'metrics and tallies';
  switch (lib) {
    case 'security':
    case 'api-keys':
      return 'guard: authentication (key or certificate)';
    case 'limits':
      return 'interceptor: per-caller limits';
    case 'audit':
      return 'audit entry: build, queue, append, receipt';
    case 'registry-client':
      return 'identity check and registry presence';
    case 'domain':
      return file.includes('citizen') || file.includes('date')
        ? 'guard and service: request fields'
        : 'decision, answer and receipt';
    case 'platform':
      if (file.includes('undecodable') || file.includes('grpc-server'))
        return 'guard: size, decoding, control characters';
      if (file.includes('request-check')) return 'guard and service: request fields';
      if (file.includes('change-')) return 'coverage read (cache, records query)';
      if (file.includes('grpc')) return 'NestJS pipeline and rxjs';
      return 'other';
    case 'coverage':
      if (file.startsWith('coverage.request')) return 'guard and service: request fields';
      if (
        file.startsWith('coverage.records') ||
        file.startsWith('coverage.store') ||
        file.startsWith('change-')
      )
        return 'coverage read (cache, records query)';
      if (file.startsWith('identity-check')) return 'identity check and registry presence';
      return 'decision, answer and receipt';
    default:
      return 'other';
  }
}

function libraryPart(url: string): Part | undefined {
  if (/\/node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream)\//.test(url)) return 'logging';
  if (/\/node_modules\/(prom-client|tdigest|bintrees)\//.test(url)) return 'metrics and tallies';
  if (/\/node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-[a-z]+|pgpass)\//.test(url))
    return 'PostgreSQL driver (pg): queries out, answers in';
  if (/\/node_modules\/(protobufjs|@protobufjs\/[^/]+|@grpc\/proto-loader|long)\//.test(url))
    return 'protobuf: decode the request, encode the answer';
  if (/\/node_modules\/(@nestjs\/[^/]+|rxjs|reflect-metadata|iterare)\//.test(url))
    return 'NestJS pipeline and rxjs';
  if (/\/node_modules\/@grpc\/grpc-js\//.test(url)) return 'transport: TLS, HTTP/2, grpc-js';
  return undefined;
}

function nodePart(url: string): Part | undefined {
  if (!url.startsWith('node:')) return undefined;
  if (/tls|net|http2|stream|buffer|crypto/.test(url)) return 'transport: TLS, HTTP/2, grpc-js';
  return 'event loop: promise jobs, timers';
}

const DOMINANT = new Set<Part>(['logging', 'metrics and tallies']);

/** The part of one sample's stack, innermost frame first. */
export function partOf(stack: ReadonlyArray<{ functionName: string; url: string }>): Part | 'idle' {
  const leaf = stack[0]?.functionName;
  if (leaf === '(idle)') return 'idle';
  if (leaf === '(garbage collector)') return 'garbage collection (main thread)';
  if (leaf === '(program)') return 'native, no JavaScript on the stack (event loop, TLS records, sockets)';
  let ours: Part | undefined;
  let library: Part | undefined;
  let node: Part | undefined;
  for (const frame of stack) {
    const lib = libraryPart(frame.url);
    if (lib && DOMINANT.has(lib)) return lib;
    const own = OURS.exec(frame.url);
    if (own && !frame.url.includes('/node_modules/') && !frame.url.includes('/bench/')) {
      const part = ourPart(own[2], own[3]);
      if (DOMINANT.has(part)) return part;
      ours ??= part;
    }
    library ??= lib;
    node ??= nodePart(frame.url);
  }
  return ours ?? library ?? node ?? 'other';
}

export interface Parts {
  /** Busy samples (not idle), and per part. */
  busySamples: number;
  samples: Map<Part, number>;
  /** Wall-clock time the busy samples stand for (each lasts until the next one). */
  busyMs: number;
}

/**
 * Samples per part over the profiles. V8 samples by the wall clock: a thread the scheduler took
 * off the CPU keeps its last sample until it runs again, so on a machine with more to run than
 * cores the samples' time overstates CPU, and most where the thread wakes another process (a
 * socket write). Counting samples, one per interval the thread was seen running, is the closer
 * measure of where its CPU goes.
 */
export function partsOf(profiles: readonly CpuProfile[]): Parts {
  const samples = new Map<Part, number>(PARTS.map((p) => [p, 0]));
  let busySamples = 0;
  let busyMs = 0;
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const partById = new Map<number, Part | 'idle'>();
    profile.samples.forEach((id, i) => {
      // A sample's time is the delta to the next one.
      const sampleMs = (profile.timeDeltas[i + 1] ?? 0) / 1000;
      let part = partById.get(id);
      if (part === undefined) {
        const stack = [];
        for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
          stack.push(byId.get(at)!.callFrame);
        part = partOf(stack);
        partById.set(id, part);
      }
      if (part === 'idle') return;
      busyMs += sampleMs;
      busySamples++;
      samples.set(part, samples.get(part)! + 1);
    });
  }
  return { busySamples, samples, busyMs };
}
