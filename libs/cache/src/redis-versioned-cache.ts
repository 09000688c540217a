import { RedisKeyValueCache } from './redis-key-value-cache';

// Replaces the stored value only when the new one is at least as new: "<version>|<json>".
const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local stored = tonumber(string.match(current, '^(%d+)|'))
  if stored and stored > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[3])
return 1
`;

/** The highest version: a tombstone stored with it is never replaced by a stale fill. */
export const FINAL_VERSION = Number.MAX_SAFE_INTEGER;

/**
 * A cache of versioned values in Redis: `set` never replaces a newer version with an older one.
 * A read that loaded an old value just before a writer refreshed the entry therefore cannot put
 * the old value back (the race a plain read-through cache has).
 */
export class RedisVersionedCache<T> extends RedisKeyValueCache<T> {
  constructor(
    redis: ConstructorParameters<typeof RedisKeyValueCache>[0],
    prefix: string,
    private readonly versionOf: (value: T) => number,
    private readonly revive: (parsed: unknown) => T = (parsed) => parsed as T,
  ) {
    super(redis, prefix);
  }

  override async get(key: string): Promise<T | undefined> {
    const raw = await this.call('GET', key, () => this.redis.get(this.prefix + key));
    if (raw === null) return undefined;
    return this.revive(JSON.parse(raw.slice(raw.indexOf('|') + 1)));
  }

  override async set(key: string, value: T, ttlSeconds: number): Promise<void> {
    const version = this.versionOf(value);
    if (!Number.isSafeInteger(version) || version < 0) throw new RangeError(`bad version ${version}`);
    await this.call('EVAL', key, () =>
      this.redis.eval(SET_IF_NEWER, 1, this.prefix + key, String(version), JSON.stringify(value), ttlSeconds),
    );
  }
}
