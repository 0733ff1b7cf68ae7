import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { ApiKeys, CertificateRegistry, type IssueKeyRequest, type PreparedKey } from '@vss/api-keys';
import { ApprovalHandlers, type ApprovalRecord, ApprovalsRepository } from '@vss/approvals';
import { AuditAction, AuditTrail } from '@vss/audit';
import {
  type CivilRegistryOffice,
  type Operator,
  OfficesRepository,
  OperatorCredentialsRepository,
  OperatorsRepository,
} from '@vss/authority';
import { type OperatorRole, OPERATOR_ROLES, type Role, ROLES } from '@vss/domain';
import { CallerLimits } from '@vss/limits';
import { AppError, ErrorClass, PG_POOL, withTransaction } from '@vss/platform';
import { CertificateAuthority, CertificateRequestError, isSystemSubject } from '@vss/pki';
import { type Caller, operatorHolds } from '@vss/security';

/** What a change to who may call did, for the page that asked. */
export type CallerChange =
  | { kind: 'key'; keyId: string; apiKey: string; approvalId?: string }
  | { kind: 'certificate'; serialNumber: string; subject: string; certificatePem: string }
  | { kind: 'enrolment'; login: string; link: string; approvalId?: string }
  | { kind: 'approval'; approvalId: string }
  | { kind: 'done'; message: string };

/** An admin key held for approval: what the approval stores (the key's hash, never the key). */
interface HeldKey {
  action: 'issue-admin-key';
  request: IssueKeyRequest;
  prepared: Omit<PreparedKey, 'apiKey'>;
}
interface HeldRoles {
  action: 'grant-roles';
  login: string;
  roles: OperatorRole[];
}

/** The actions of the audit trail for changes to callers, made in the console. */
const ACTIONS = {
  keyIssued: AuditAction.CallerKeyIssued,
  keyRequested: AuditAction.CallerKeyRequested,
  keyRevoked: AuditAction.CallerKeyRevoked,
  keyRotated: AuditAction.CallerKeyRotated,
  operatorAdded: AuditAction.CallerOperatorAdded,
  rolesChanged: AuditAction.CallerRolesChanged,
  rolesRequested: AuditAction.CallerRolesRequested,
  operatorDisabled: AuditAction.CallerOperatorDisabled,
  factorsReset: AuditAction.CallerFactorsReset,
  certificateIssued: AuditAction.CallerCertificateIssued,
  certificateRevoked: AuditAction.CallerCertificateRevoked,
} as const;

/** The CA the console signs certificate requests with, when this gateway holds its key. */
export const CONSOLE_CERTIFICATE_AUTHORITY = Symbol('CONSOLE_CERTIFICATE_AUTHORITY');

/** A member or subsystem code of a certificate's subject. */
const SUBJECT_PART = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function refused(message: string, field?: string): AppError {
  return new AppError('CALLER_CHANGE_REFUSED', ErrorClass.InvalidArgument, message, field);
}

/** Roles from a form's checkboxes, each checked against the known roles. */
export function parseRoles(values: readonly string[]): OperatorRole[] {
  const roles = [...new Set(values)];
  const unknown = roles.filter((r) => !(OPERATOR_ROLES as readonly string[]).includes(r));
  if (unknown.length > 0)
    throw refused(`${unknown.join(', ')} is not a role (${OPERATOR_ROLES.join(', ')})`, 'roles');
  if (roles.length === 0) throw refused('choose at least one role', 'roles');
  return roles as OperatorRole[];
}

/**
 * Who may call, managed by security administrators in the console: API keys (issue, revoke,
 * rotate), operators (add, roles, disable, a new enrolment link), limits and usage. Changes that
 * grant admin rights — an admin API key, the security-admin role — wait for a second security
 * administrator (a CALLER approval), and the database refuses them without one. Every change is
 * in the audit trail, naming the operator.
 */
@Injectable()
export class CallersService implements OnModuleInit {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly keys: ApiKeys,
    private readonly operators: OperatorsRepository,
    private readonly credentials: OperatorCredentialsRepository,
    private readonly offices: OfficesRepository,
    private readonly approvals: ApprovalsRepository,
    private readonly handlers: ApprovalHandlers,
    private readonly limits: CallerLimits,
    private readonly audit: AuditTrail,
    private readonly certificates: CertificateRegistry,
    @Optional() @Inject(CONSOLE_CERTIFICATE_AUTHORITY) private readonly authority?: CertificateAuthority,
  ) {}

  /** Whether this gateway signs certificate requests itself (it holds the CA's key). */
  get signsCertificates(): boolean {
    return this.authority !== undefined;
  }

  listCertificates() {
    return this.certificates.list();
  }

  /**
   * A client certificate for a calling system's own key, from its certificate request (PKCS
   * #10): a clinic's or a civil registry office's. Admin certificates are the CLI's (`certs
   * issue --operator`); a gateway without the CA's key says where requests are signed.
   */
  async issueCertificate(
    caller: Caller,
    form: {
      csr: string;
      role: string;
      facilityCode?: string;
      officeCode?: string;
      member: string;
      subsystem: string;
      label?: string;
      days?: string;
    },
  ): Promise<CallerChange> {
    this.requireAdmin(caller);
    if (form.role !== 'clinic' && form.role !== 'civil-registry') {
      throw refused('a certificate from the console is a clinic’s or a civil registry office’s', 'role');
    }
    const facilityCode = form.role === 'clinic' ? form.facilityCode?.trim() : undefined;
    const officeCode = form.role === 'civil-registry' ? form.officeCode?.trim() : undefined;
    if (form.role === 'clinic' && !/^[0-9]{5}$/.test(facilityCode ?? ''))
      throw refused('a clinic certificate needs a 5-digit facility code', 'facility_code');
    if (form.role === 'civil-registry' && !officeCode)
      throw refused('a civil registry certificate needs an office code', 'office_code');
    const member = form.member.trim();
    const subsystem = form.subsystem.trim();
    if (!SUBJECT_PART.test(member))
      throw refused('a member is 1–64 letters, digits, ".", "_" or "-" (e.g. BV-01001)', 'member');
    if (!SUBJECT_PART.test(subsystem))
      throw refused('a subsystem is 1–64 letters, digits, ".", "_" or "-" (e.g. his)', 'subsystem');
    if (isSystemSubject({ member, subsystem }))
      throw refused(`${member}/${subsystem} is a system's own subject, never a caller's`, 'member');
    const days = form.days?.trim() ? Number(form.days) : 397;
    if (!Number.isInteger(days) || days < 1 || days > 825)
      throw refused('a certificate is valid for 1 to 825 days', 'days');
    if (!this.authority) {
      throw new AppError(
        'CALLER_NO_CA_KEY',
        ErrorClass.FailedPrecondition,
        'this gateway does not hold the CA’s key: sign the request on the CA’s machine with `npm run cli -- certs issue --csr <file> --member … --subsystem …`',
        'csr',
      );
    }
    const label = form.label?.trim() || `${member}/${subsystem}`;
    const signed = await this.authority
      .issueFromRequest(form.csr, { subject: { member, subsystem, commonName: label }, validityDays: days })
      .catch((error: unknown) => {
        throw error instanceof CertificateRequestError
          ? refused(`the certificate request cannot be signed: ${error.message}`, 'csr')
          : error;
      });
    await this.certificates.register({
      fingerprint256: signed.fingerprint256,
      serialNumber: signed.serialNumber,
      subject: signed.subject,
      member,
      subsystem,
      role: form.role,
      facilityCode,
      officeCode,
      label,
      notAfter: signed.notAfter,
    });
    await this.record(undefined, caller, ACTIONS.certificateIssued, {
      serialNumber: signed.serialNumber,
      subject: signed.subject,
      role: form.role,
    });
    return {
      kind: 'certificate',
      serialNumber: signed.serialNumber,
      subject: signed.subject,
      certificatePem: signed.certificatePem,
    };
  }

  async revokeCertificate(caller: Caller, serialNumber: string): Promise<CallerChange> {
    this.requireAdmin(caller);
    const revoked = await this.certificates.revoke(serialNumber);
    if (!revoked)
      throw refused(`certificate ${serialNumber} is not a certificate that is still valid`, 'serial_number');
    await this.record(undefined, caller, ACTIONS.certificateRevoked, { serialNumber: revoked.serial_number });
    return { kind: 'done', message: `certificate ${revoked.serial_number} revoked` };
  }

  onModuleInit(): void {
    this.handlers.register('CALLER', {
      approved: (client, approval) => this.applyApproved(client, approval),
      rejected: async () => undefined,
    });
  }

  private requireAdmin(caller: Caller): NonNullable<Caller['operator']> {
    if (!caller.operator || !operatorHolds(caller, 'security-admin')) {
      throw new AppError(
        'CALLER_CHANGE_FORBIDDEN',
        ErrorClass.PermissionDenied,
        'changes to who may call are made by a security administrator',
      );
    }
    return caller.operator;
  }

  private record(
    client: PoolClient | undefined,
    caller: Caller,
    action: AuditAction,
    detail: Record<string, unknown>,
  ) {
    const entry = { caller, action, purpose: 'caller-administration', outcome: 'DONE', detail };
    return client ? this.audit.recordWithin(client, entry) : this.audit.record(entry);
  }

  listKeys() {
    return this.keys.list();
  }

  listOperators(): Promise<Operator[]> {
    return this.operators.list();
  }

  listOffices(): Promise<CivilRegistryOffice[]> {
    return this.offices.list();
  }

  limitsOverview() {
    return this.limits.overview();
  }

  async issueKey(
    caller: Caller,
    form: {
      role: string;
      facilityCode?: string;
      officeCode?: string;
      operatorLogin?: string;
      label: string;
      days?: string;
    },
  ): Promise<CallerChange> {
    const operator = this.requireAdmin(caller);
    if (!(ROLES as readonly string[]).includes(form.role)) {
      throw refused(`role must be one of ${ROLES.join(', ')}`, 'role');
    }
    const days = form.days?.trim() ? Number(form.days) : undefined;
    const request: IssueKeyRequest = {
      role: form.role as Role,
      label: form.label.trim(),
      facilityCode: form.role === 'clinic' ? form.facilityCode?.trim() || undefined : undefined,
      officeCode: form.role === 'civil-registry' ? form.officeCode?.trim() || undefined : undefined,
      operatorLogin: form.role === 'admin' ? form.operatorLogin?.trim() || undefined : undefined,
      validDays: days,
    };
    const prepared = await this.keys.prepare(request);
    const { apiKey, ...kept } = prepared;
    if (request.role !== 'admin') {
      await this.keys.store(this.pool, request, kept);
      await this.record(undefined, caller, ACTIONS.keyIssued, {
        keyId: prepared.keyId,
        role: request.role,
        label: request.label,
      });
      return { kind: 'key', keyId: prepared.keyId, apiKey };
    }
    const held: HeldKey = { action: 'issue-admin-key', request, prepared: kept };
    const approval = await withTransaction(this.pool, async (client) => {
      const record = await this.approvals.request(client, {
        subjectKind: 'CALLER',
        subjectId: `key:${prepared.keyId}#${randomUUID().slice(0, 8)}`,
        hold: 'ADMIN_KEY',
        reason: `an admin API key for operator ${request.operatorLogin}, valid ${prepared.validDays} days: "${request.label}"`,
        detail: held as unknown as Record<string, unknown>,
        requestedBy: caller.label,
        requestedByOperator: operator.operatorId,
      });
      await this.record(client, caller, ACTIONS.keyRequested, {
        keyId: prepared.keyId,
        operator: request.operatorLogin,
        approvalId: record.approvalId,
      });
      return record;
    });
    return { kind: 'key', keyId: prepared.keyId, apiKey, approvalId: approval.approvalId };
  }

  async revokeKey(caller: Caller, keyId: string): Promise<CallerChange> {
    this.requireAdmin(caller);
    const revoked = await this.keys.revoke(keyId);
    if (!revoked) throw refused(`key ${keyId} is not a key that is still valid`, 'key_id');
    await this.record(undefined, caller, ACTIONS.keyRevoked, { keyId });
    return { kind: 'done', message: `key ${keyId} revoked` };
  }

  async rotateKey(caller: Caller, keyId: string, graceHours: number): Promise<CallerChange> {
    this.requireAdmin(caller);
    if (!Number.isInteger(graceHours) || graceHours < 0 || graceHours > 720) {
      throw refused('the old key keeps working 0 to 720 hours', 'grace_hours');
    }
    const found = (await this.keys.list()).find((k) => k.key_id === keyId);
    if (!found || found.revoked_at) throw refused(`key ${keyId} is not a key that is still valid`, 'key_id');
    if (found.role === 'admin') {
      throw refused(
        'an admin key is replaced by issuing a new one (a second security administrator approves it)',
        'key_id',
      );
    }
    const rotated = await this.keys.rotate(keyId, graceHours);
    await this.record(undefined, caller, ACTIONS.keyRotated, { keyId, newKeyId: rotated.keyId, graceHours });
    return { kind: 'key', keyId: rotated.keyId, apiKey: rotated.apiKey };
  }

  /**
   * Adds an operator with the roles asked for and gives the enrolment link; the security-admin
   * role is asked of a second security administrator (the operator starts without it).
   */
  async addOperator(
    caller: Caller,
    form: { login: string; displayName: string; roles: OperatorRole[] },
    baseUrl: string,
  ): Promise<CallerChange> {
    this.requireAdmin(caller);
    const now = form.roles.filter((r) => r !== 'security-admin');
    const added = await this.operators.add({
      login: form.login.trim(),
      displayName: form.displayName,
      roles: now.length > 0 ? now : ['auditor'],
      by: caller.label,
    });
    await this.record(undefined, caller, ACTIONS.operatorAdded, { login: added.login, roles: added.roles });
    const sent = await this.credentials.sendEnrolment(added.login);
    const approvalId = form.roles.includes('security-admin')
      ? (
          await this.requestRoles(caller, added.login, [
            ...new Set([...added.roles, 'security-admin']),
          ] as OperatorRole[])
        ).approvalId
      : undefined;
    return {
      kind: 'enrolment',
      login: added.login,
      link: `${baseUrl}/console/enrol/${sent.token}`,
      approvalId,
    };
  }

  async setRoles(caller: Caller, login: string, roles: OperatorRole[]): Promise<CallerChange> {
    const operator = this.requireAdmin(caller);
    if (login === operator.login)
      throw refused('your own roles are changed by another security administrator', 'roles');
    const current = await this.operators.find(login);
    if (!current) throw refused(`${login} is not an operator`, 'login');
    if (roles.includes('security-admin') && !current.roles.includes('security-admin')) {
      const approval = await this.requestRoles(caller, login, roles);
      return { kind: 'approval', approvalId: approval.approvalId };
    }
    await this.operators.setRoles(login, roles);
    await this.record(undefined, caller, ACTIONS.rolesChanged, { login, from: current.roles, to: roles });
    return { kind: 'done', message: `${login}: ${roles.join(', ')}` };
  }

  async disable(caller: Caller, login: string): Promise<CallerChange> {
    const operator = this.requireAdmin(caller);
    if (login === operator.login) throw refused('you cannot disable yourself', 'login');
    const found = await this.operators.disable(login, caller.label);
    if (!found) throw refused(`${login} is not an operator`, 'login');
    await this.record(undefined, caller, ACTIONS.operatorDisabled, { login });
    return { kind: 'done', message: `${login} disabled; their sessions ended` };
  }

  /** A new enrolment link: the password and second factor are set again by the operator. */
  async resetFactors(caller: Caller, login: string, baseUrl: string): Promise<CallerChange> {
    const operator = this.requireAdmin(caller);
    if (login === operator.login)
      throw refused('your own second factor is reset by another security administrator', 'login');
    const sent = await this.credentials.sendEnrolment(login);
    await this.record(undefined, caller, ACTIONS.factorsReset, { login });
    return { kind: 'enrolment', login, link: `${baseUrl}/console/enrol/${sent.token}` };
  }

  private requestRoles(caller: Caller, login: string, roles: OperatorRole[]): Promise<ApprovalRecord> {
    const held: HeldRoles = { action: 'grant-roles', login, roles };
    return withTransaction(this.pool, async (client) => {
      const record = await this.approvals.request(client, {
        subjectKind: 'CALLER',
        subjectId: `operator:${login}#${randomUUID().slice(0, 8)}`,
        hold: 'SECURITY_ADMIN_ROLE',
        reason: `the security-admin role for operator ${login} (roles: ${roles.join(', ')})`,
        detail: held as unknown as Record<string, unknown>,
        requestedBy: caller.label,
        requestedByOperator: caller.operator?.operatorId,
      });
      await this.record(client, caller, ACTIONS.rolesRequested, {
        login,
        roles,
        approvalId: record.approvalId,
      });
      return record;
    });
  }

  /** A second security administrator approved: the held change is made in the decision's transaction. */
  private async applyApproved(client: PoolClient, approval: ApprovalRecord): Promise<string> {
    const held = approval.detail as unknown as HeldKey | HeldRoles;
    if (held.action === 'issue-admin-key') {
      await this.keys.store(client, held.request, held.prepared);
      return `admin key ${held.prepared.keyId} issued to ${held.request.operatorLogin}`;
    }
    const changed = await this.operators.setRoles(held.login, held.roles, client);
    if (!changed) throw refused(`${held.login} is no longer an operator`, 'login');
    return `${held.login}: ${held.roles.join(', ')}`;
  }
}
