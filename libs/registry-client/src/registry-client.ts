import * as grpc from '@grpc/grpc-js';
import { REGISTRY_PROTO_FILES, registry } from '@vss/contracts';
import type { Observable } from 'rxjs';
import { type CitizenSummary, decodeCitizenSummaries } from './citizen-summary';
import { serviceClient, unary } from './grpc-loader';

export interface RegistryClientOptions {
  address: string;
  /** How the registry is reached: TLS with our certificate (grpcChannelCredentials), or plaintext in development. */
  credentials: grpc.ChannelCredentials;
  /** Default deadline of a call. */
  deadlineMs: number;
  /** Attempts of an idempotent call on UNAVAILABLE / DEADLINE_EXCEEDED, the first included. */
  attempts?: number;
}

/** Failures worth trying again: the registry is down or slow, not wrong. */
export function isTransient(error: unknown): boolean {
  const code = (error as grpc.ServiceError)?.code;
  return (
    code === grpc.status.UNAVAILABLE ||
    code === grpc.status.DEADLINE_EXCEEDED ||
    code === grpc.status.RESOURCE_EXHAUSTED ||
    code === grpc.status.ABORTED
  );
}

export const BATCH_LIMIT = 1000;

/** The registry's service, named by the generated constants. */
export const REGISTRY_SERVICE = `${registry.NPD_REGISTRY_V1_PACKAGE_NAME}.${registry.POPULATION_REGISTRY_SERVICE_NAME}`;

/** The registry's methods as the generated interface declares them, so a renamed RPC fails to compile. */
type Methods = registry.PopulationRegistryClient;
type UnaryMethod = Exclude<keyof Methods, 'exportCitizens'>;
type RequestOf<M extends keyof Methods> = Parameters<Methods[M]>[0];
type ResponseOf<M extends keyof Methods> = ReturnType<Methods[M]> extends Observable<infer R> ? R : never;
const EXPORT_CITIZENS = 'exportCitizens' satisfies keyof Methods;

/**
 * The gateway's client of the population registry, over mutual TLS (the registry knows us by
 * our certificate): every call carries a deadline; reads and idempotent writes are retried with
 * backoff on transient failures.
 */
export class RegistryClient {
  private readonly client: grpc.Client;
  private readonly attempts: number;
  /** ExportCitizens as the service definition has it: its path and how its request is written. */
  private readonly exportMethod: grpc.MethodDefinition<registry.ExportCitizensRequest, unknown>;

  constructor(private readonly options: RegistryClientOptions) {
    const Ctor = serviceClient(REGISTRY_PROTO_FILES, REGISTRY_SERVICE);
    this.exportMethod = Ctor.service.ExportCitizens as grpc.MethodDefinition<
      registry.ExportCitizensRequest,
      unknown
    >;
    this.client = new Ctor(options.address, options.credentials, {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.keepalive_time_ms': 30_000,
    });
    this.attempts = options.attempts ?? 3;
  }

  close(): void {
    this.client.close();
  }

  private async call<M extends UnaryMethod>(
    method: M,
    request: RequestOf<M>,
    deadlineMs?: number,
    attempts?: number,
  ): Promise<ResponseOf<M>> {
    const tries = attempts ?? this.attempts;
    for (let attempt = 1; ; attempt++) {
      try {
        return await unary<RequestOf<M>, ResponseOf<M>>(this.client, method, request, {
          deadlineMs: deadlineMs ?? this.options.deadlineMs,
        });
      } catch (error) {
        if (attempt >= tries || !isTransient(error)) throw error;
        await new Promise((r) => setTimeout(r, 50 * 2 ** (attempt - 1) * (0.5 + Math.random())));
      }
    }
  }

  /** One citizen, or undefined when the registry does not know the ID. */
  async getCitizen(citizenId: string, opts: { deadlineMs?: number; attempts?: number } = {}) {
    try {
      const res = await this.call('getCitizen', { citizenId }, opts.deadlineMs, opts.attempts);
      return res.citizen;
    } catch (error) {
      if ((error as grpc.ServiceError).code === grpc.status.NOT_FOUND) return undefined;
      throw error;
    }
  }

  /** Any number of IDs, sent in batches of the registry's limit; answers in input order. */
  async batchGetCitizens(
    citizenIds: string[],
    opts: { deadlineMs?: number; attempts?: number } = {},
  ): Promise<registry.BatchGetCitizensResult[]> {
    const results: registry.BatchGetCitizensResult[] = [];
    for (let i = 0; i < citizenIds.length; i += BATCH_LIMIT) {
      const res = await this.call(
        'batchGetCitizens',
        { citizenIds: citizenIds.slice(i, i + BATCH_LIMIT) },
        opts.deadlineMs,
        opts.attempts,
      );
      results.push(...res.results);
    }
    return results;
  }

  /** Citizens who could be a person known by name and birth date (a read: retried). */
  async searchCitizens(
    request: registry.SearchCitizensRequest,
    opts: { deadlineMs?: number } = {},
  ): Promise<registry.Citizen[]> {
    return (await this.call('searchCitizens', request, opts.deadlineMs)).citizens;
  }

  async resolveLegacyId(legacyId: string): Promise<registry.ResolveLegacyIdResponse | undefined> {
    try {
      return await this.call('resolveLegacyId', { legacyId });
    } catch (error) {
      if ((error as grpc.ServiceError).code === grpc.status.NOT_FOUND) return undefined;
      throw error;
    }
  }

  registerBirth(req: registry.RegisterBirthRequest): Promise<registry.RegisterBirthResponse> {
    return this.call('registerBirth', req);
  }

  recordDeath(req: registry.RecordDeathRequest): Promise<registry.RecordDeathResponse> {
    return this.call('recordDeath', req);
  }

  registerPermanentResidence(
    req: registry.RegisterPermanentResidenceRequest,
  ): Promise<registry.RegisterPermanentResidenceResponse> {
    return this.call('registerPermanentResidence', req);
  }

  cancelPermanentResidence(
    req: registry.CancelPermanentResidenceRequest,
  ): Promise<registry.CancelPermanentResidenceResponse> {
    return this.call('cancelPermanentResidence', req);
  }

  revokeDeath(req: registry.RevokeDeathRequest): Promise<registry.RevokeDeathResponse> {
    return this.call('revokeDeath', req);
  }

  correctDeath(req: registry.CorrectDeathRequest): Promise<registry.CorrectDeathResponse> {
    return this.call('correctDeath', req);
  }

  correctBirth(req: registry.CorrectBirthRequest): Promise<registry.CorrectBirthResponse> {
    return this.call('correctBirth', req);
  }

  restorePermanentResidence(
    req: registry.RestorePermanentResidenceRequest,
  ): Promise<registry.RestorePermanentResidenceResponse> {
    return this.call('restorePermanentResidence', req);
  }

  /**
   * The export as an async iterable of pages. The stream is pulled: gRPC flow control
   * keeps the registry from running ahead of this reader.
   */
  async *exportCitizens(
    req: Partial<registry.ExportCitizensRequest>,
    opts: { deadlineMs?: number } = {},
  ): AsyncGenerator<registry.ExportCitizensResponse> {
    const fn = (
      this.client as unknown as Record<
        string,
        (...a: unknown[]) => grpc.ClientReadableStream<registry.ExportCitizensResponse>
      >
    )[EXPORT_CITIZENS];
    yield* pages(fn.call(this.client, exportRequest(req), new grpc.Metadata(), deadlineOf(opts)));
  }

  /**
   * The same export, each page decoded straight into the fields matching reads (CitizenSummary):
   * what a reconciliation run streams, at a fraction of the decoding.
   */
  async *exportSummaries(
    req: Partial<registry.ExportCitizensRequest>,
    opts: { deadlineMs?: number } = {},
  ): AsyncGenerator<CitizenSummary[]> {
    const method = this.exportMethod;
    yield* pages(
      this.client.makeServerStreamRequest(
        method.path,
        method.requestSerialize,
        (buffer: Buffer) => decodeCitizenSummaries(buffer),
        exportRequest(req),
        new grpc.Metadata(),
        deadlineOf(opts),
      ),
    );
  }
}

function exportRequest(req: Partial<registry.ExportCitizensRequest>): registry.ExportCitizensRequest {
  return { afterCitizenId: '', beforeCitizenId: '', provinceCode: '', updatedSince: '', pageSize: 0, ...req };
}

function deadlineOf(opts: { deadlineMs?: number }): grpc.CallOptions {
  return { deadline: opts.deadlineMs ? Date.now() + opts.deadlineMs : Infinity };
}

/** A server stream as a pulled iterable, cancelled when the reader stops early. */
async function* pages<T>(stream: grpc.ClientReadableStream<T>): AsyncGenerator<T> {
  try {
    for await (const page of stream) yield page as T;
  } finally {
    stream.cancel();
  }
}
