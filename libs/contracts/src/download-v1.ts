export * from './gen/tessera/download/v1/download_service_pb';
