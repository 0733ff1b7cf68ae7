export * from './config/config';
export * from './errors';
export * from './logging';
export * from './grpc/grpc-error.filter';
export * from './grpc/grpc-server';
export * from './clock';
export * from './process';
export * from './jobs/job-queue';
