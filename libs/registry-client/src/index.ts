export * from './citizen-summary';
export * from './grpc-loader';
export * from './registry-client';
