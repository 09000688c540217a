import { createPool, type Pool } from 'mysql2/promise';
import { meterQueries } from './metered-queries';

export interface TidbOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The database to use; migrate() creates it when missing. */
  database: string;
  connectionLimit: number;
  /**
   * Lets one query carry several statements (`BEGIN; …; COMMIT` in one round trip). Only for
   * statements built with placeholders, never with text from outside.
   */
  multipleStatements?: boolean;
}

/**
 * A mysql2 pool for TiDB. Large integers come back as strings (TiDB's ids and unsigned sizes can
 * exceed 2^53), times are UTC. Every query's duration is a metric (metered-queries.ts).
 */
export function createTidbPool(options: TidbOptions, withDatabase = true): Pool {
  const pool = createPool({
    host: options.host,
    port: options.port,
    user: options.user,
    password: options.password,
    ...(withDatabase && { database: options.database }),
    connectionLimit: options.connectionLimit,
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: 'Z',
    enableKeepAlive: true,
    multipleStatements: options.multipleStatements ?? false,
  });
  return meterQueries(pool);
}
