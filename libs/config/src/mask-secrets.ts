const SECRET_NAME = /(PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL)/i;

/** A copy of a config object safe to log: values under secret-looking keys are replaced. */
export function maskSecrets(value: unknown, key = ''): unknown {
  if (SECRET_NAME.test(key) && value !== undefined && value !== '') {
    return '***';
  }
  if (Array.isArray(value)) {
    return value.map((item) => maskSecrets(item));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  }
  return value;
}
