export * from './lifecycle-headers';
export * from './lifecycle-messages';
export * from './recent-ids';
export * from './lifecycle-consumer';
export * from './kafka-client';
export * from './kafkajs-idle-loop';
