export * from './migrate';
export * from './tidb-pool';
