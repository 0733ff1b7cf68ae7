import * as grpc from '@grpc/grpc-js';
import type { Approval } from '@vss/contracts';
import { serviceClient, unary } from '@vss/registry-client';
import { testCredentials } from './tls';

/** A gRPC client of ApprovalService for tests: each call with the API key it is given. */
export class ApprovalsClient {
  private readonly client: grpc.Client;

  constructor(address: string) {
    const Client = serviceClient(['vss/gateway/v1/approval.proto'], 'vss.gateway.v1.ApprovalService');
    this.client = new Client(address, testCredentials());
  }

  call<Res>(method: string, request: object, apiKey: string): Promise<Res> {
    const metadata = new grpc.Metadata();
    metadata.set('x-api-key', apiKey);
    return unary<object, Res>(this.client, method, request, { deadlineMs: 10_000, metadata });
  }

  async approve(approvalId: string, apiKey: string, note = 'checked'): Promise<Approval> {
    return (await this.call<{ approval: Approval }>('approve', { approvalId, note }, apiKey)).approval;
  }

  async reject(approvalId: string, apiKey: string, note: string): Promise<Approval> {
    return (await this.call<{ approval: Approval }>('reject', { approvalId, note }, apiKey)).approval;
  }

  async get(approvalId: string, apiKey: string): Promise<Approval> {
    return (await this.call<{ approval: Approval }>('getApproval', { approvalId }, apiKey)).approval;
  }

  close(): void {
    this.client.close();
  }
}
