export * from './migrate';
export * from './tidb-pool';
export * from './metered-queries';
