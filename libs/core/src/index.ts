export * from './core.module';
export * from './infrastructure';
export * from './vss-schema';
