import { ErrorCode, TesseraError } from '@tessera/errors';
import type { Redis } from 'ioredis';
import type { KeyValueCache } from './key-value-cache.port';

/**
 * KeyValueCache in Redis, values as JSON under `<prefix><key>`. It uses the client it is given and
 * never opens a connection of its own; give that client a `commandTimeout` so that a slow Redis
 * turns into a fast UNAVAILABLE instead of a slow read.
 */
export class RedisKeyValueCache<T> implements KeyValueCache<T> {
  constructor(
    protected readonly redis: Redis,
    protected readonly prefix: string,
  ) {}

  async get(key: string): Promise<T | undefined> {
    const raw = await this.call('GET', key, () => this.redis.get(this.prefix + key));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: T, ttlSeconds: number): Promise<void> {
    await this.call('SET', key, () =>
      this.redis.set(this.prefix + key, JSON.stringify(value), 'EX', ttlSeconds),
    );
  }

  async delete(key: string): Promise<void> {
    await this.call('DEL', key, () => this.redis.del(this.prefix + key));
  }

  protected async call<R>(command: string, key: string, send: () => Promise<R>): Promise<R> {
    try {
      return await send();
    } catch (error) {
      throw new TesseraError(ErrorCode.Unavailable, `cache unavailable: ${command} ${this.prefix}${key}`, {
        cause: error,
      });
    }
  }
}
