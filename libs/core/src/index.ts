export * from './core.module';
export * from './infrastructure';
