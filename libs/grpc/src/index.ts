export * from './call-handlers';
export * from './grpc-error';
export * from './grpc-rpc.decorator';
export * from './pass-through-rpc.filter';
export * from './protobuf-grpc-server';
export * from './service-definition';
export * from './grpc-client';
export * from './http2-windows';
