export * from './grpc-loader';
export * from './registry-client';
