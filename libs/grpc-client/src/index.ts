export * from './grpc-client';
export * from './service-definition';
export * from './http2-windows';
export { relayAs, relayRequestsOf, sameWireShape } from './relayed-messages';
