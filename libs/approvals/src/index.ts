export * from './approval-handlers';
export * from './approvals.module';
export * from './approvals.repository';
export * from './approvals.errors';
export * from './api/approvals-api.module';
export * from './api/approvals.service';
