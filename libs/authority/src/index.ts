export * from './authority.module';
export * from './offices.repository';
export * from './operators.repository';
