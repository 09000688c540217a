export * from './key-value-cache.port';
export * from './read-through';
export * from './redis-key-value-cache';
export * from './single-flight';
export * from './redis-versioned-cache';
