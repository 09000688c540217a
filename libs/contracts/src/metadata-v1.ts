export * from './gen/tessera/metadata/v1/node_pb';
export * from './gen/tessera/metadata/v1/metadata_service_pb';
