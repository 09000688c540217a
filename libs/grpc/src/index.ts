export * from './call-handlers';
export * from './grpc-error';
export * from './grpc-rpc.decorator';
export * from './pass-through-rpc.filter';
export * from './protobuf-grpc-server';
export type { ServerWindows } from './wide-server-windows';
export * from './dependency-health';
export * from './call-limit';
export * from './request-numbers';
// The client side (grpc-client, service definitions, HTTP/2 windows) is its own package, so the
// SDK does not pull in the server's dependencies; re-exported for the services.
export * from '@tessera/grpc-client';
