export * from './gen/tessera/internal/v1/repository_service_pb';
export * from './gen/tessera/internal/v1/node_cache_service_pb';
