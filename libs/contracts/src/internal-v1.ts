export * from './gen/tessera/internal/v1/repository_service_pb';
