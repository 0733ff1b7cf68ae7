import { type DynamicModule, Module } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { ApiKeys, CertificateRegistry } from '@vss/api-keys';
import type { CertificateAuthority } from '@vss/pki';
import { ApprovalsApiModule, ApprovalsModule } from '@vss/approvals';
import { AUDIT_PUBLIC_KEYS, AuditChainReader, AuditModule } from '@vss/audit';
import { AuthorityModule } from '@vss/authority';
import { CivilEventsModule } from '@vss/civil-events';
import { CoverageModule } from '@vss/coverage';
import { ReconciliationModule } from '@vss/reconciliation';
import { SESSION_AUTHENTICATOR } from '@vss/security';
import { ApprovalsPagesController } from './approvals/approvals.controller';
import { AssetsController } from './assets/assets.controller';
import { AuditPagesController } from './audit/audit.controller';
import { CallersPagesController } from './callers/callers.controller';
import { CallersService, CONSOLE_CERTIFICATE_AUTHORITY } from './callers/callers.service';
import { ConsoleErrorFilter } from './console-error.filter';
import { CallRateSampler } from './overview/call-rates';
import { OverviewPagesController } from './overview/overview.controller';
import { PeoplePagesController } from './people/people.controller';
import { ProceduresPagesController } from './procedures/procedures.controller';
import { FindingsPagesController } from './findings/findings.controller';
import { RunsPagesController } from './runs/runs.controller';
import { ConsoleSessionAuthenticator } from './sessions/console-sessions';
import { CsrfGuard } from './sessions/csrf.guard';
import { SignInController } from './sign-in/sign-in.controller';

/**
 * The operator console under /console/: pages rendered on the server from the features'
 * services (never their repositories), behind the same AuthGuard, limits and audit as gRPC —
 * a signed-in operator is a caller like a key is. The gateway mounts the session middleware
 * (consoleSessions) before it.
 */
@Module({
  imports: [
    AuthorityModule,
    AuditModule,
    ReconciliationModule,
    CivilEventsModule,
    CoverageModule,
    ApprovalsApiModule,
    ApprovalsModule,
  ],
  controllers: [
    AssetsController,
    SignInController,
    RunsPagesController,
    FindingsPagesController,
    ApprovalsPagesController,
    OverviewPagesController,
    ProceduresPagesController,
    PeoplePagesController,
    AuditPagesController,
    CallersPagesController,
  ],
  providers: [
    ConsoleSessionAuthenticator,
    { provide: SESSION_AUTHENTICATOR, useExisting: ConsoleSessionAuthenticator },
    ConsoleErrorFilter,
    CsrfGuard,
    CallRateSampler,
    AuditChainReader,
    CallersService,
  ],
  exports: [SESSION_AUTHENTICATOR],
})
export class ConsoleModule {
  /**
   * `auditPublicKeys`: the keys whose checkpoints the audit page's verification trusts; `keys`:
   * the gateway's API keys and client certificates (the callers pages issue and revoke them,
   * and the gateway's caches hear it); `certificateAuthority`: when the gateway holds the CA's
   * key, the callers page signs certificate requests with it.
   */
  static forRoot(options: {
    auditPublicKeys: KeyObject[];
    keys: ApiKeys;
    certificates: CertificateRegistry;
    certificateAuthority?: CertificateAuthority;
  }): DynamicModule {
    return {
      module: ConsoleModule,
      providers: [
        { provide: AUDIT_PUBLIC_KEYS, useValue: options.auditPublicKeys },
        { provide: ApiKeys, useValue: options.keys },
        { provide: CertificateRegistry, useValue: options.certificates },
        ...(options.certificateAuthority
          ? [{ provide: CONSOLE_CERTIFICATE_AUTHORITY, useValue: options.certificateAuthority }]
          : []),
      ],
    };
  }
}
