export * from './gen/tessera/upload/v1/upload_pb';
export * from './gen/tessera/upload/v1/upload_service_pb';
