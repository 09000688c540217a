export * from './eventually';
export * from './stack-endpoints';
export * from './deterministic-file';
export * from './toxiproxy';
export * from './service-process';
export * from './upload-stack';
export * from './cpu-hog';
export * from './metrics-scrape';
