import * as grpc from '@grpc/grpc-js';
import type {
  ApplyFindingsRequest,
  ApplyFindingsResponse,
  FindCandidatesRequest,
  FindCandidatesResponse,
  Finding,
  ListFindingsRequest,
  ListRunsResponse,
  Run,
  StartRunRequest,
} from '@vss/contracts';
import { serviceClient, unary } from '@vss/registry-client';

/** A call the gateway refused, with its gRPC status kept for callers that branch on it. */
export class GatewayCallError extends Error {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
    readonly field: string | undefined,
  ) {
    super(`${grpc.status[code] ?? code}: ${details}${field ? ` (field ${field})` : ''}`);
  }
}

function wrap(error: unknown): Error {
  const e = error as grpc.ServiceError;
  if (typeof e?.code !== 'number') return error as Error;
  const field = e.metadata?.get('x-error-field')[0];
  return new GatewayCallError(e.code, e.details, typeof field === 'string' ? field : undefined);
}

/** vss.gateway.v1.ReconciliationService over gRPC, for the CLI, the benchmark and the tests. */
export class ReconciliationClient {
  private readonly client: grpc.Client;

  constructor(
    address: string,
    private readonly apiKey: string,
    credentials: grpc.ChannelCredentials,
  ) {
    const Ctor = serviceClient(
      ['vss/gateway/v1/reconciliation.proto'],
      'vss.gateway.v1.ReconciliationService',
    );
    this.client = new Ctor(address, credentials);
  }

  private metadata(): grpc.Metadata {
    const metadata = new grpc.Metadata();
    metadata.set('x-api-key', this.apiKey);
    return metadata;
  }

  private async call<Res>(method: string, request: object, deadlineMs = 30_000): Promise<Res> {
    try {
      return await unary<object, Res>(this.client, method, request, {
        deadlineMs,
        metadata: this.metadata(),
      });
    } catch (error) {
      throw wrap(error);
    }
  }

  private stream<Res>(method: string, request: object): grpc.ClientReadableStream<Res> {
    const fn = (
      this.client as unknown as Record<
        string,
        (r: object, m: grpc.Metadata) => grpc.ClientReadableStream<Res>
      >
    )[method];
    return fn.call(this.client, request, this.metadata());
  }

  async startRun(request: Partial<StartRunRequest>): Promise<Run> {
    return (await this.call<{ run: Run }>('startRun', request)).run;
  }

  async getRun(runId: string): Promise<Run> {
    return (await this.call<{ run: Run }>('getRun', { runId })).run;
  }

  listRuns(request: { state?: string; pageToken?: string; pageSize?: number }): Promise<ListRunsResponse> {
    return this.call('listRuns', request);
  }

  async cancelRun(runId: string): Promise<Run> {
    return (await this.call<{ run: Run }>('cancelRun', { runId })).run;
  }

  findCandidates(
    request: Partial<FindCandidatesRequest>,
    deadlineMs?: number,
  ): Promise<FindCandidatesResponse> {
    return this.call('findCandidates', request, deadlineMs);
  }

  applyFindings(request: Partial<ApplyFindingsRequest>): Promise<ApplyFindingsResponse> {
    return this.call('applyFindings', request, 600_000);
  }

  /** Follows a run until it ends; resolves with its last state. */
  watch(runId: string, onRun: (run: Run) => void = () => undefined): Promise<Run> {
    return new Promise((resolve, reject) => {
      let last: Run | undefined;
      const stream = this.stream<{ run: Run }>('watchRun', { runId });
      stream.on('data', (msg: { run: Run }) => {
        last = msg.run;
        onRun(msg.run);
      });
      stream.on('error', (error) => reject(wrap(error)));
      stream.on('end', () =>
        last ? resolve(last) : reject(new Error(`no progress received for run ${runId}`)),
      );
    });
  }

  /** The findings, page by page, as the server streams them. */
  async *findings(
    request: Partial<ListFindingsRequest>,
  ): AsyncGenerator<{ findings: Finding[]; cursor: string }> {
    const stream = this.stream<{ findings: Finding[]; cursor: string }>('listFindings', request);
    try {
      for await (const page of stream) yield page as { findings: Finding[]; cursor: string };
    } catch (error) {
      throw wrap(error);
    } finally {
      stream.cancel();
    }
  }

  close(): void {
    this.client.close();
  }
}
