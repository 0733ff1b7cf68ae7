import { Module } from '@nestjs/common';
import { ApprovalsApiModule } from '@vss/approvals';
import { AuditModule } from '@vss/audit';
import { AuthorityModule } from '@vss/authority';
import { CivilEventsModule } from '@vss/civil-events';
import { ReconciliationModule } from '@vss/reconciliation';
import { SESSION_AUTHENTICATOR } from '@vss/security';
import { ApprovalsPagesController } from './approvals/approvals.controller';
import { AssetsController } from './assets/assets.controller';
import { ConsoleErrorFilter } from './console-error.filter';
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
  imports: [AuthorityModule, AuditModule, ReconciliationModule, CivilEventsModule, ApprovalsApiModule],
  controllers: [
    AssetsController,
    SignInController,
    RunsPagesController,
    FindingsPagesController,
    ApprovalsPagesController,
  ],
  providers: [
    ConsoleSessionAuthenticator,
    { provide: SESSION_AUTHENTICATOR, useExisting: ConsoleSessionAuthenticator },
    ConsoleErrorFilter,
    CsrfGuard,
  ],
  exports: [SESSION_AUTHENTICATOR],
})
export class ConsoleModule {}
