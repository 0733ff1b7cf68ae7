export * from './authority.module';
export * from './offices.repository';
export * from './operators.repository';
export * from './operator-credentials.repository';
export * from './sign-in.errors';
