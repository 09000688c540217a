export * from './gen/tessera/events/v1/object_reference_pb';
export * from './gen/tessera/events/v1/lifecycle_events_pb';
