// Generated contracts (proto/ → src/gen, see proto/buf.gen.yaml), one namespace per protobuf
// package because packages reuse message names. Never edit src/gen by hand.
export * as uploadV1 from './upload-v1';
export * as metadataV1 from './metadata-v1';
export * as internalV1 from './internal-v1';
export * as eventsV1 from './events-v1';
export * as downloadV1 from './download-v1';
export { allocateWithHeadroom, bulkEncoderOf } from './bulk-encoders';
