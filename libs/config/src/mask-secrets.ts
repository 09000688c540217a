// A name ending in KEY or KEY_ID (S3_ACCESS_KEY_ID, apiKey), not one that only contains it
// (REDIS_KEY_PREFIX, OBJECT_KEY_TEMPLATE).
const SECRET_NAME = /(PASSWORD|SECRET|TOKEN|CREDENTIAL|KEY(_ID)?$)/i;

/** A URL with a password in it (redis://:secret@host), with the password replaced. */
function maskUrlPassword(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(value)) return value;
  try {
    const url = new URL(value);
    if (url.password === '') return value;
    url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}

/** A copy of a config object safe to log: secret-looking keys and passwords in URLs are replaced. */
export function maskSecrets(value: unknown, key = ''): unknown {
  if (SECRET_NAME.test(key) && value !== undefined && value !== '') {
    return '***';
  }
  if (typeof value === 'string') return maskUrlPassword(value);
  if (Array.isArray(value)) {
    return value.map((item) => maskSecrets(item));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  }
  return value;
}
